/**
 * What the CLI needs to know of a fault before any AWS code is loaded (--help, flag choices, the experiment
 * file's schema, `demo`): kept in each fault's meta.ts, which imports no SDK, so start-up stays light.
 */
export interface FaultMeta {
  kind: string;
  /** One line for --help and the README: what the fault does. */
  summary: string;
  /** `chaos-ec2 demo`: the run flags that make this fault demo-sized (seconds, not minutes). */
  demoFlags: Record<string, string>;
}
