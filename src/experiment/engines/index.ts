/**
 * The engines by kind, and the one place the runner hands a plan to one: `injectPlan` builds the engine's
 * context from the run (journal, rollback registration, timeline, damage, the stop condition an engine sees
 * on its side) so runner.ts stays a list of phases.
 */
import type { Fault } from '../../faults/types.js';
import type { EngineKind } from '../engine-options.js';
import type { Journal } from '../journal.js';
import type { ObserveSession } from '../observe.js';
import type { Run } from '../run-context.js';
import type { Plan } from '../types.js';
import type { Undo } from '../undo.js';
import { fisEngine } from './fis.js';
import { localEngine } from './local.js';
import type { Engine, EngineInjection } from './types.js';
import type { StopFired } from '../recorder.js';

/** FIS stopped the experiment because a stop condition (a CloudWatch alarm) went to ALARM. */
function fisAlarmStop(name: string, detail: string): StopFired {
  return {
    name,
    threshold: 'FIS stop condition (CloudWatch alarm in ALARM)',
    detail,
    because: `FIS stopped the experiment: alarm '${name}' in ALARM: ${detail}`,
    gate: `alarm ${name} never in ALARM`,
    fields: { alarm: name, reason: detail, engine: 'fis' },
  };
}

export type { Engine, EngineInjection } from './types.js';

export function engineFor(kind: EngineKind | undefined): Engine {
  return kind === 'fis' ? fisEngine : localEngine;
}

export function injectPlan(run: Run, plan: Plan, fault: Fault, journal: Journal, undo: Undo, session: ObserveSession): Promise<EngineInjection> {
  const { cfg, deps, rec } = run;
  return engineFor(cfg.engine).inject(plan, fault, {
    cfg,
    clock: deps.clock,
    clients: deps.clients,
    journal,
    now: deps.clock.now,
    signal: deps.signal,
    registerRollback: (r) => undo.register(r),
    record: (e) => deps.emit({ type: 'timeline', entry: rec.addFaultEvent(e) }),
    setDamage: (items) => deps.emit({ type: 'damage', experimentId: plan.experimentId, items }),
    stopFired: (atMs, name, detail) => {
      deps.emit({ type: 'timeline', entry: rec.addEvent({ atMs, event: 'fis-stop-condition', detail: `${name}: ${detail}` }) });
      // Reported as the local alarm watch reports its own: the runner's stop-condition mark, the verdict
      // `aborted` and report.stopCondition name the alarm and FIS's reason.
      session.stopByEngine(atMs, fisAlarmStop(name, detail));
    },
  });
}
