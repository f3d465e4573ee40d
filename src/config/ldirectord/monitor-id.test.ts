import test from 'ava';
import { loadConfigDetailed, nameServiceFromFiles } from '../index.js';

const names = nameServiceFromFiles({ hosts: '', services: '' });

function monitorNames(text: string): Readonly<Record<string, string>> | undefined {
  const r = loadConfigDetailed({ path: 'l.cf', text, readFile: () => '', names, hostname: 'dir1' });
  if (!r.result.ok) throw new Error(r.result.error.map((e) => e.message).join('; '));
  return r.result.value.services[0]?.ldirectord?.monitorNames;
}

test('names as ldirectord prints them: checktype:service:protocol:ip:port:vhost:checkport:weight:forward:request:receive, runs of ":" one space, no backslashes', (t) => {
  t.deepEqual(monitorNames('virtual=192.0.2.1:80\n\treal=10.0.0.1:80 masq 3\n\treal=10.0.0.2 gate\n\tservice=http\n\trequest="alive.html"\n\treceive="I am (alive)"\n\tmonitorfile="/var/log/ld.mon"\n'), {
    '10.0.0.1:80': 'negotiate http tcp 10.0.0.1 80 3 masq /alive.html I am (alive)',
    '10.0.0.2:80': 'negotiate http tcp 10.0.0.2 1 gate /alive.html I am (alive)',
  });
});

test('checktype N is combined, external names its command, connect is plain; virtualhost and checkport are in the name; a real\'s own request and receive', (t) => {
  t.deepEqual(monitorNames('virtual=192.0.2.1:80\n\treal=10.0.0.1:80 masq 1 "/x.html" "ok"\n\tservice=http\n\tchecktype=3\n\tvirtualhost=www.example.test\n\tcheckport=8080\n\tmonitorfile=/tmp/m\n'), {
    '10.0.0.1:80': 'combined http tcp 10.0.0.1 80 www.example.test 8080 1 masq /x.html ok',
  });
  t.deepEqual(monitorNames('virtual=192.0.2.1:25\n\treal=10.0.0.1:25 masq\n\tchecktype=external\n\tcheckcommand=/usr/local/bin/check\n\tmonitorfile=/tmp/m\n'), {
    '10.0.0.1:25': 'external /usr/local/bin/check tcp 10.0.0.1 25 1 masq / ',
  });
  t.deepEqual(monitorNames('virtual=192.0.2.1:80\n\treal=10.0.0.1:80 masq\n\tchecktype=connect\n\tmonitorfile=/tmp/m\n'), { '10.0.0.1:80': 'connect tcp 10.0.0.1 80 1 masq / ' });
});

test('no monitorfile, no names', (t) => {
  t.is(monitorNames('virtual=192.0.2.1:80\n\treal=10.0.0.1:80 masq\n\tchecktype=connect\n'), undefined);
});
