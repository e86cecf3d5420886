/**
 * The fault catalog: every fault kind with what the CLI needs before any AWS code loads (its meta.ts). This
 * and src/faults/index.ts (the modules themselves) are the registry: every list of kinds — CLI choices,
 * experiment-file values, the JSON schema, `iam-policy`, `demo`, `recover`, the report sections — is derived
 * from here. Adding a fault: its folder under src/faults, plus one line here and one in index.ts.
 */
import { meta as blackholeAz } from './blackhole-az/meta.js';
import { meta as stopInstances } from './stop-instances/meta.js';
import { meta as terminateInstances } from './terminate-instances/meta.js';
import type { FaultMeta } from './fault-meta.js';

/** In the order --help lists them; the first is the default. */
export const FAULT_METAS: readonly FaultMeta[] = [terminateInstances, blackholeAz, stopInstances];

export const FAULT_KINDS: readonly string[] = FAULT_METAS.map((f) => f.kind);

export const DEFAULT_FAULT: string = FAULT_METAS[0]!.kind;

export function metaFor(kind: string): FaultMeta | undefined {
  return FAULT_METAS.find((f) => f.kind === kind);
}
