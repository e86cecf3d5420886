/** The local engine: the fault module's own AWS calls inject it, its own rollback reverts it (t0: the mutating call returned). */
import type { Engine } from './types.js';

export const localEngine: Engine = {
  kind: 'local',
  annotate: async () => undefined,
  holdMs: (plan, fault) => fault.holdMs(plan),
  inject: (plan, fault, ctx) => fault.inject(plan, ctx),
};
