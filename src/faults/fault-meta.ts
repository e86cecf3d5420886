/**
 * What the CLI needs to know of a fault before any AWS code is loaded (--help, flag choices, the experiment
 * file's schema, `demo`): kept in each fault's meta.ts, which imports no SDK, so start-up stays light.
 */
import type { OptionDef } from '../core/options.js';

export interface FaultMeta {
  kind: string;
  /** One line for --help and the README: what the fault does. */
  summary: string;
  /** `chaos-ec2 demo`: the run flags that make this fault demo-sized (seconds, not minutes). */
  demoFlags: Record<string, string>;
  /**
   * The fault-specific run options it accepts (shared ones from ./options.ts, or its own). Giving any other
   * fault's option with this fault is a usage error naming the faults that take it.
   */
  options: readonly FaultOption[];
}

/** A fault-specific option a fault accepts, with what it means for that fault (for --help). */
export interface FaultOption {
  def: OptionDef;
  /** The option's meaning for this fault; default: the option's own help. */
  help?: string;
}
