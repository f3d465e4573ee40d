import test from 'ava';
import { loadConfig } from '../config/index.js';
import type { Config } from '../model/index.js';
import type { NotifyJob } from './notify.js';
import { fifoLine, type FifoEvent } from './notify-fifo.js';
import { VrrpNotifier } from './vrrp-notifier.js';

const CONF = `global_defs {
    vrrp_notify_fifo /run/lvsd-test.fifo
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.1
    }
    notify_priority_changes
    notify_stop "/bin/echo stop"
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    virtual_ipaddress {
        192.0.2.2
    }
}
vrrp_sync_group G {
    group {
        VI_1
    }
    notify "/bin/echo group"
}
`;

function setup() {
  const r = loadConfig({ path: 'k.conf', text: CONF, readFile: () => { throw new Error('no includes'); }, format: 'keepalived' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const config: Config = r.value;
  const lines: string[] = [];
  const jobs: NotifyJob[] = [];
  const n = new VrrpNotifier(() => config, { notify: { enqueue: (j) => jobs.push(j) }, fifos: { write: (e: FifoEvent) => lines.push(fifoLine(e)) } });
  return { n, lines, jobs, config };
}

test('the config carries the FIFO and notify_priority_changes for VI_1 only', (t) => {
  const { config } = setup();
  t.deepEqual(config.notifyFifos?.map((f) => `${f.keyword} ${f.path}`), ['vrrp_notify_fifo /run/lvsd-test.fifo']);
  t.deepEqual(config.vrrp.map((i) => i.notifyPriorityChanges ?? false), [true, false]);
});

test('state changes and priority changes as keepalived writes them; INIT is never written', (t) => {
  const { n, lines } = setup();
  n.instance('VI_1', 'INIT', 100);
  n.instance('VI_1', 'BACKUP', 100);
  n.priority('VI_1', 100); // unchanged: nothing
  n.priority('VI_1', 90);
  n.instance('VI_1', 'MASTER', 90);
  n.priority('VI_1', 80);
  n.priority('VI_2', 70); // before any state of VI_2, and VI_2 does not notify priority changes
  n.instance('VI_2', 'BACKUP', 70);
  n.priority('VI_2', 60);
  n.group('G', 'MASTER');
  t.deepEqual(lines, [
    'INSTANCE "VI_1" BACKUP 100\n', 'INSTANCE "VI_1" BACKUP_PRIORITY 90\n', 'INSTANCE "VI_1" MASTER 90\n',
    'INSTANCE "VI_1" MASTER_PRIORITY 80\n', 'INSTANCE "VI_2" BACKUP 70\n', 'GROUP "G" MASTER 0\n',
  ]);
});

test('stop: every instance with its last priority, then every group, enters STOP (scripts and FIFO)', (t) => {
  const { n, lines, jobs } = setup();
  n.instance('VI_1', 'MASTER', 100);
  n.priority('VI_1', 95);
  lines.length = 0;
  n.stop();
  t.deepEqual(lines, ['INSTANCE "VI_1" STOP 95\n', 'INSTANCE "VI_2" STOP 100\n', 'GROUP "G" STOP 0\n']);
  t.deepEqual(jobs.map((j) => j.argv.join(' ')).slice(-2), ['/bin/echo stop', '/bin/echo group GROUP G STOP 0']);
});
