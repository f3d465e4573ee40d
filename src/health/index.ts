/**
 * health/: the contract other folders import. Health checks of real servers turn into the
 * desired IPVS table; this folder imports only the model (and the root clock). The ICMP sockets
 * of the addon are injected (`icmp: loadNative`), so health does not import src/native.
 *
 * HOW THE DIRECTOR USES IT (daemon/health-runner.ts does exactly this; daemon/wiring.ts, the
 * composition root, constructs it):
 *
 *   const engine = new HealthEngine({
 *     clock: monotonicClock, timers: nodeTimers, random: Math.random,
 *     checkers: checkerRegistry({ icmp: loadNative, echoId: process.pid, extra: [createMiscChecker({ prepare }),
 *       createFileChecker({ resolve: (name) => config.tracking?.files.find((f) => f.name === name) })] }),
 *     maxInFlight: 256,
 *     onEvent: (e) => {                      // one pino line per event, then:
 *       if (e.kind === 'check') log.info({ event: 'check.state', svc: e.service, rs: e.real, check: e.checkKind,
 *                                          from: e.from, to: e.to, reason: e.reason, detail: e.detail, ms: e.latencyMs }, 'check state changed');
 *       if (e.kind === 'real') { runNotify(e.to.up ? notifyUp : notifyDown); scheduleReconcile(); }
 *     },
 *   });
 *   const missing = engine.update(config.services);   // on start and on every reload (state kept)
 *   // `missing`: probe kinds without a checker; say so once (they fail with reason 'error').
 *
 *   // whenever a 'real' event came (coalesce them into one pass per loop turn), and after update:
 *   const applied = applyHealth(config.services, { reals: engine.reals(), overrides, quorum: lastQuorum });
 *   lastQuorum = applied.quorum;
 *   for (const c of applied.changes) runNotify(c.to === 'up' ? quorumUp(c.service) : quorumDown(c.service));
 *   reconcile(desiredTable(applied.services), await ipvs.dump());   // ipvs/desired.ts + ipvs/reconcile.ts
 *
 *   // lvsctl drain|enable VIP:PORT RIP:PORT → overrides.set/delete(realKey(serviceId(vs.key), realId(rs)), 'drain'),
 *   //   kept across reloads by the director, then the same applyHealth pass.
 *   // lvsctl checks [--json] → engine.snapshot() (+ the override per realKey).
 *   // shutdown → engine.close().
 *
 * Keys: serviceId "TCP 192.0.2.10:80" / "FWM 7", realId "10.0.0.2:80", realKey "SERVICE|REAL".
 * Health runs on the main thread: the VRRP worker has its own thread and event loop, so checks
 * (bounded by maxInFlight, every read bounded in bytes) never delay adverts.
 *
 * Not supported (refuse at config validation, never accept silently): the target option
 * `fwmark` on checkers over Node sockets (UNSUPPORTED_TARGET_OPTIONS: Node cannot set SO_MARK;
 * TCP_CHECK and plain HTTP_GET mark through the addon, native-stream.ts).
 */
export type { Attempt, AttemptResult, AttemptSpec, Checker, FailReason, SteadyHandle, SteadyLane, SteadyStats } from './checker.js';
export { applyHealth, nextQuorum, type AppliedHealth, type HealthInputs, type Override, type QuorumChange, type QuorumState, type RealHealth } from './apply.js';
export { HealthEngine, type CheckerRegistry, type HealthEngineOptions, type HealthEvent } from './engine.js';
export { initialHysteresis, observe, type CheckState, type Hysteresis } from './hysteresis.js';
export { hostPort, planHealth, realId, realKey, serviceId, type HealthPlan, type ProbePlan, type Subscriber } from './plan.js';
export { checkerRegistry, type RegistryOptions } from './registry.js';
export { formatDuration, runAttempt, type RunningAttempt } from './run-attempt.js';
export type { CheckSnapshot, RealSnapshot } from './snapshot.js';
export { FakeTimers, nodeTimers, type TimerHandle, type Timers } from './timers.js';
export { steadyLane } from './checks/steady-lane.js';
export { ConnectionWatch, netConnector, type Connector, type WatchTarget } from './watch.js';
export { UNSUPPORTED_TARGET_OPTIONS, unsupportedTarget } from './checks/connection.js';
export { IcmpPinger, type IcmpMode, type IcmpNative } from './checks/ping.js';
export { Outcome, describeError } from './checks/outcome.js';
export { createMiscChecker, judgeMiscExit, type PrepareScript } from './checks/misc.js';
export { createFileChecker, readTrackFileHead, type FileCheckerDeps } from './checks/file.js';
export { describeOutcome, runScript, type ScriptDeps, type ScriptOutcome, type ScriptResult, type ScriptRun, type ScriptSpec } from './script.js';
export { lookupGroup, lookupUser, type UserIds, type UserLookupError } from './passwd.js';
// Tracking for VRRP (vrrp_script, track_interface, track_file, vrrp_track_process): the director owns one Tracker.
export { Tracker, hasTracking, type LinkSource, type TrackerConfig, type TrackerEvent, type TrackerOptions, type TrackerSnapshot } from './track/tracker.js';
export type { InstanceTracking, TrackEffect } from './track/priority.js';
