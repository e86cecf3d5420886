/**
 * The fault catalog: every fault kind with what the CLI needs before any AWS code loads (its meta.ts). This
 * and src/faults/index.ts (the modules themselves) are the registry: every list of kinds — CLI choices,
 * experiment-file values, the JSON schema, `iam-policy`, `demo`, `recover`, the report sections — is derived
 * from here. Adding a fault: its folder under src/faults, plus one line here and one in index.ts.
 */
import { meta as blackholeAz } from './blackhole-az/meta.js';
import { meta as stopInstances } from './stop-instances/meta.js';
import { meta as terminateInstances } from './terminate-instances/meta.js';
import type { OptionDef } from '../core/options.js';
import type { FaultMeta } from './fault-meta.js';

/** In the order --help lists them; the first is the default. */
export const FAULT_METAS: readonly FaultMeta[] = [terminateInstances, blackholeAz, stopInstances];

export const FAULT_KINDS: readonly string[] = FAULT_METAS.map((f) => f.kind);

export const DEFAULT_FAULT: string = FAULT_METAS[0]!.kind;

export function metaFor(kind: string): FaultMeta | undefined {
  return FAULT_METAS.find((f) => f.kind === kind);
}

/** Every fault-specific option, once each, in the order the catalog first lists them. */
export const FAULT_OPTIONS: readonly OptionDef[] = [...new Set(FAULT_METAS.flatMap((m) => m.options.map((o) => o.def)))];

/** The kinds that accept an option (derived from each fault's meta.options). */
export function faultsAccepting(def: OptionDef): string[] {
  return FAULT_METAS.filter((m) => m.options.some((o) => o.def === def)).map((m) => m.kind);
}

/** What an option means for each fault that takes it: `a, b: help; c: other help` (for --help). */
export function faultOptionHelp(def: OptionDef): string {
  const byHelp = new Map<string, string[]>();
  for (const m of FAULT_METAS) {
    const o = m.options.find((x) => x.def === def);
    if (o) byHelp.set(o.help ?? def.help, [...(byHelp.get(o.help ?? def.help) ?? []), m.kind]);
  }
  return [...byHelp].map(([help, kinds]) => `${kinds.join(', ')}: ${help}`).join('; ');
}

/** An option's help: a fault option's says which faults take it and what it means for each. */
export const optionHelp = (def: OptionDef): string => (FAULT_OPTIONS.includes(def) ? faultOptionHelp(def) : def.help);
