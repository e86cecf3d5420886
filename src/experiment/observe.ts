/**
 * The observe phase: the probe keeps its constant arrival rate while the capacity watcher polls the group;
 * after every probe second the recovery figures are recomputed, and the phase ends as soon as both service
 * and capacity have recovered — or at the recovery timeout, or when the operator interrupts.
 */
import { CapacityWatcher, type CapacitySnapshot } from '../observe/capacity-watch.js';
import type { LoadProbe } from '../observe/load-probe.js';
import type { RunConfig } from './config.js';
import type { Discovery } from './discover.js';
import type { ReportBuilder } from './report-builder.js';
import type { RunDeps } from './runner.js';

export interface ObserveResult {
  recovered: boolean;
  timedOut: boolean;
  interrupted: boolean;
  polls: number;
}

export interface ObserveInput {
  cfg: RunConfig;
  deps: RunDeps;
  d: Discovery;
  probe: LoadProbe;
  baseline: CapacitySnapshot;
  t0: number;
  rb: ReportBuilder;
  /** Aborted when the run must stop (interrupt). */
  stop: AbortSignal;
}

export function observe(o: ObserveInput): Promise<ObserveResult> {
  const { cfg, deps, rb } = o;
  const watcher = new CapacityWatcher(
    deps.clients,
    { asgName: cfg.asg, targetGroupArns: o.d.group.targetGroupArns, pollMs: cfg.pollMs, now: deps.now },
    o.baseline,
  );
  return new Promise<ObserveResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<ObserveResult, 'polls'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      watcher.stop();
      o.probe.off('second', onSecond);
      o.stop.removeEventListener('abort', onStop);
      resolve({ ...r, polls: watcher.polls });
    };
    const onSecond = (s: Parameters<ReportBuilder['addSecond']>[0]) => {
      rb.addSecond(s);
      deps.emit({ type: 'second', second: s, capacity: watcher.latest });
      if (rb.recoveredSoFar()) finish({ recovered: true, timedOut: false, interrupted: false });
    };
    const onStop = () => finish({ recovered: false, timedOut: false, interrupted: true });
    watcher.on('event', (e) => {
      const entry = rb.addCapacityEvent(e);
      deps.emit({ type: 'timeline', entry });
    });
    watcher.on('snapshot', (s: CapacitySnapshot) => rb.addSample(s));
    watcher.on('error', (err: unknown) => {
      const entry = rb.mark('poll-failed', deps.now(), (err as Error)?.message ?? String(err));
      deps.emit({ type: 'timeline', entry });
    });
    o.probe.on('second', onSecond);
    o.stop.addEventListener('abort', onStop, { once: true });
    const timeout = setTimeout(() => {
      const entry = rb.mark('recovery-timeout', deps.now(), `not recovered ${cfg.recoveryTimeoutMs / 1000}s after the fault`);
      deps.emit({ type: 'timeline', entry });
      finish({ recovered: false, timedOut: true, interrupted: false });
    }, Math.max(0, o.t0 + cfg.recoveryTimeoutMs - deps.now()));
    if (o.stop.aborted) onStop();
    else watcher.start();
  });
}
