/**
 * The composition root (docs/design.md "Pure cores and edges"): the one place that builds the director's real parts
 * (the IPVS backend opener, the sync daemon manager, the notify runner, the control socket, the
 * VRRP worker, the tracker with its link watcher, the config reader, system time) and hands
 * them to `Director`, which creates nothing itself.
 * cli/lvsd/run.ts calls createDirector; tests build a Director with fakes instead.
 */
import { hostname } from 'node:os';
import { systemTime } from '../clock.js';
import type { Config } from '../model/index.js';
import { openSyncBackend, SyncManager } from '../sync/index.js';
import { VrrpEngine } from '../vrrp/index.js';
import { netConnector, nodeTimers, steadyLane, Tracker, type LinkSource } from '../health/index.js';
import { describeRoute, describeRule, describeVip, openLinkWatcher, openRouteManager, openVipManager } from '../net/index.js';
import { ControlServer } from '../control/index.js';
import { Director, type ControlEndpoint, type HealthPart, type StartTracking, type StartVrrp } from './director.js';
import { IpvsManager } from './ipvs-manager.js';
import { HealthRunner } from './health-runner.js';
import { LdirectordRuntime, type ChildCommand } from './ldirectord/runtime.js';
import { mailAlert, nodeLdirectordFiles } from './ldirectord/sendmail.js';
import { realCheckers } from './health-checkers.js';
import type { Logger } from './logger.js';
import { NotifyRunner } from './notify.js';
import { NotifyFifos } from './notify-fifo.js';
import { readConfig } from './read-config.js';
import { type StaticKernel, StaticNetManager } from './static-net.js';
import { logTrackedPriority, logTrackerEvent } from './track-log.js';

export interface DirectorOptions {
  readonly socketPath: string;
  readonly log: Logger;
  /** SCHED_RR priority of the VRRP worker thread; 0 = off. */
  readonly vrrpRtPriority: number;
  /**
   * Debug (`lvsd --debug-ipvs-memory`): program an in-memory IPVS table (ipvs/memory-backend.ts,
   * answering as the kernel does) instead of the kernel's. For benchmarks of everything else on
   * a kernel without ip_vs (bench/checks part B): without it lvsd refuses to start there, as
   * keepalived's checker process does ("IPVS: Can't initialize ipvs").
   */
  readonly ipvsMemory?: boolean;
  /** keepalived.conf's config id (lvsd --config-id), for every reload too. */
  readonly configId?: string;
  /** lvsd --watch-connections: an idle connection to each checked TCP target (health/watch.ts). */
  readonly watchConnections?: boolean;
  /** ldirectord execute=: runs a verb for another configuration (cli/lvsd/execute.ts). */
  readonly children?: (cmd: ChildCommand, name: string) => Promise<number>;
}

export function createDirector(config: Config, o: DirectorOptions): Director {
  const ipvs = new IpvsManager({
    log: o.log.child({ component: 'ipvs' }),
    time: systemTime,
    openBackend: async (choice) => {
      // Loaded on first use: a VRRP-only director never loads the netlink client.
      const { MemoryIpvsBackend, openIpvsBackend } = await import('../ipvs/index.js');
      if (o.ipvsMemory) return new MemoryIpvsBackend();
      return openIpvsBackend({ backend: choice, timeoutMs: 5000 });
    },
  });
  const notify = new NotifyRunner({
    onResult: (r) => o.log.info({ event: 'notify.done', ...r }, 'notify script finished'),
  });
  let director: Director | undefined;
  // ldirectord's runtime directives (fallbackcommand, maintenancedir, autoreload, callback, e-mail alerts).
  let runner: HealthRunner | undefined;
  const ldirectord = new LdirectordRuntime({
    log: o.log.child({ component: 'ldirectord' }), timers: nodeTimers, nowMs: systemTime.nowMs, notify, files: nodeLdirectordFiles,
    mail: mailAlert, hostname: hostname(), forceDown: (keys) => runner?.setForcedDown(keys), reload: async () => director?.reload(),
    ...(o.children ? { children: o.children } : {}),
  });
  // Health checks program IPVS with the health-applied services (daemon/health-runner.ts).
  runner = new HealthRunner({
    log: o.log.child({ component: 'health' }), ipvs, notify,
    clock: systemTime, timers: nodeTimers, random: Math.random, nowMs: systemTime.nowMs, checkers: realCheckers, observer: ldirectord,
    ...(o.watchConnections === true ? { watch: netConnector } : {}),
    steady: steadyLane,
  });
  const health = withLdirectord(runner, ldirectord);
  const startVrrp: StartVrrp = (c, events) => {
    const engine = new VrrpEngine(c.vrrp, c.syncGroups, o.vrrpRtPriority);
    engine.on('message', events.message);
    engine.on('exit', events.exit);
    return engine;
  };
  // The sync backend is opened on first need, with the backend the running config names then.
  const sync = new SyncManager({
    log: o.log.child({ component: 'sync' }), nowMs: systemTime.nowMs,
    open: () => openSyncBackend((director?.current() ?? config).ipvs.backend),
  });
  director = new Director(config, {
    log: o.log, time: systemTime, readConfig: (path) => readConfig(path, o.configId !== undefined ? { configId: o.configId } : {}), ipvs, health, sync, notify,
    fifos: new NotifyFifos(o.log.child({ component: 'notify' })),
    statics: new StaticNetManager({ log: o.log.child({ component: 'static' }), open: openStaticKernel }),
    control: controlEndpoint(o.socketPath), startVrrp, startTracking: trackingStarter(o.log), pid: process.pid,
  });
  return director;
}

/** The health part with the ldirectord runtime following each config it runs, and the stop. */
function withLdirectord(runner: HealthRunner, ld: LdirectordRuntime): HealthPart {
  return {
    update: async (config) => {
      await ld.configure(config);
      return runner.update(config);
    },
    handlers: () => runner.handlers(),
    close: async () => {
      ld.stopping();
      ld.close();
      await Promise.all([runner.close(), ld.stopChildren()]);
    },
  };
}

/** The Tracker on a link watcher of its own, logging its events and priority changes (track-log.ts). */
function trackingStarter(log: Logger): StartTracking {
  return async (config, onPriority) => {
    const tlog = log.child({ component: 'track' });
    const listeners = new Set<(ifname: string, up: boolean) => void>();
    const watcher = await openLinkWatcher({
      onChange: (c) => listeners.forEach((l) => l(c.ifname, c.up)),
      onError: (e) => tlog.warn({ event: 'track.error', what: 'link watcher', err: e }, 'tracking failed'),
    });
    const links: LinkSource = {
      isUp: (ifname) => watcher.state(ifname)?.up,
      subscribe: (cb) => {
        listeners.add(cb);
        return () => listeners.delete(cb);
      },
    };
    const tracker = new Tracker({ config, links });
    tracker.on('event', (e) => logTrackerEvent(tlog, e));
    tracker.on('priority', (p) => {
      logTrackedPriority(tlog, p);
      onPriority(p);
    });
    await tracker.start();
    return {
      update: (c) => tracker.update(c),
      current: (name) => tracker.current(name),
      snapshot: () => tracker.snapshot(),
      close: () => {
        tracker.close();
        watcher.close();
      },
    };
  };
}

/** The control socket at `path`, serving the handlers the director gives it. */
function controlEndpoint(path: string): ControlEndpoint {
  let server: ControlServer | undefined;
  return {
    listen: async (handlers) => {
      server = new ControlServer({ path, handlers });
      await server.listen();
    },
    close: async () => {
      await server?.close();
    },
  };
}

/** keepalived's static entries over the VIP and route managers of net/ (rtnetlink). */
async function openStaticKernel(): Promise<StaticKernel> {
  const vips = await openVipManager();
  const routes = await openRouteManager();
  return {
    addAddress: async (a) => vips.add(a),
    removeAddress: async (a) => vips.remove(a),
    addRoute: async (r) => routes.addRoute(r),
    removeRoute: async (r) => routes.removeRoute(r),
    addRule: async (r) => routes.addRule(r),
    removeRule: async (r) => routes.removeRule(r),
    describe: (e) => (e.kind === 'address' ? `${describeVip(e.entry)}${e.entry.scope ? ` scope ${e.entry.scope}` : ''}` : e.kind === 'route' ? describeRoute(e.entry) : describeRule(e.entry)),
    close: () => {
      vips.close();
      routes.close();
    },
  };
}
