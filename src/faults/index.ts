/**
 * The fault modules (with the AWS code), in catalog order; catalog.ts lists the kinds without loading them.
 * The runner, `recover`, `iam-policy` and the report renderers reach every fault through here.
 */
import { ChaosError, ExitCode } from '../core/errors.js';
import { blackholeAzFault } from './blackhole-az/index.js';
import { stopInstancesFault } from './stop-instances/index.js';
import { terminateInstancesFault } from './terminate-instances/index.js';
import { FAULT_KINDS } from './catalog.js';
import type { Fault } from './types.js';

const MODULES: readonly Fault[] = [terminateInstancesFault, blackholeAzFault, stopInstancesFault];

/** Every fault module, in the catalog's order (a module missing from the catalog is a bug caught at load). */
export const FAULTS: readonly Fault[] = FAULT_KINDS.map((kind) => {
  const f = MODULES.find((m) => m.kind === kind);
  if (!f) throw new Error(`fault '${kind}' is in the catalog but has no module in src/faults/index.ts`);
  return f;
});

export { FAULT_KINDS };

/** The module of a kind; an unknown kind is a usage error (a report or journal from another version, say). */
export function faultFor(kind: string): Fault {
  const f = FAULTS.find((x) => x.kind === kind);
  if (!f) throw new ChaosError(ExitCode.Usage, `unknown fault '${kind}': this chaos-ec2 knows ${FAULT_KINDS.join(', ')}`, { phase: 'config' });
  return f;
}

export type { Fault } from './types.js';
