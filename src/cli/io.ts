import { CommanderError, type Command } from 'commander';

/** Where a CLI verb writes; tests pass their own. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
}

export const stdio: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
};

/**
 * Runs a commander program whose actions set their own exit code (read by `code()` after
 * parsing). Usage errors exit 2 and --help / --version 0, as docs/cli.md requires.
 */
export async function parseToExitCode(program: Command, argv: readonly string[], code: () => number): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code();
}
