import { existsSync } from 'node:fs';

/**
 * ldirectord's config lookup for `lvsd CONFIG VERB` and execute= (ld_init): /etc/ha.d/NAME,
 * then /etc/ha.d/conf/NAME, then NAME as given. `exists` is injected for tests.
 */
export function ldirectordConfigPath(name: string, exists: (p: string) => boolean = existsSync): string {
  if (!name.startsWith('/')) {
    for (const dir of ['/etc/ha.d', '/etc/ha.d/conf']) if (exists(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return name;
}
