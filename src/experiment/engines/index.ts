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
      // Noted first: the runner's stop-condition mark then names the alarm, not the error-rate condition.
      rec.noteEngineStop(name, detail);
      deps.emit({ type: 'timeline', entry: rec.addEvent({ atMs, event: 'fis-stop-condition', detail: `${name}: ${detail}` }) });
      session.stopFiredAt ??= atMs;
    },
  });
}
