/**
 * What the phases of one run share (runner.ts runs them; run-endings.ts ends them), and what a run returns.
 */
import type { PermissionCheck } from '../aws/ec2.js';
import type { ProbeSummary } from '../observe/load-probe.js';
import type { Outcome } from './build-report.js';
import type { RunConfig } from './config.js';
import type { RunDeps } from './deps.js';
import type { Discovery } from './discover.js';
import type { Recorder } from './recorder.js';
import type { Plan, Report } from './types.js';

export interface RunOutcome {
  exitCode: number;
  report?: Report;
  plan?: Plan;
  permissions?: PermissionCheck[];
}

/** What every phase of one run shares. */
export interface Run {
  cfg: RunConfig;
  deps: RunDeps;
  d: Discovery;
  rec: Recorder;
  /** Ends a report from the record (pure buildReport with this run's context). */
  report(o: Outcome, summary?: ProbeSummary | null): Report;
}
