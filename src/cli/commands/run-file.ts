/**
 * `chaos-ec2 run -f FILE`: runs the file's experiments in order, each through the same path as `run`
 * (runWithConfig), after validating ALL of them first (with the CLI overrides on top) — a typo in the last
 * experiment must not surface after the first one has already terminated instances.
 *
 * Exit code (the worst one wins):
 * - 4 (rollback incomplete) or 130 (interrupted) stops the file at once: nothing more is injected while
 *   something may still be, or after the operator said stop. That code is returned.
 * - Otherwise every experiment runs, and the result is the highest of the codes seen, which by the
 *   table's order is also the most serious: 5 AWS error > 3 refused > 2 usage > 1 gate failed > 0.
 *
 * Gates come from the file's `gates:` with the command-line gate flags on top; `runOne` (replaceable in
 * tests) runs one experiment through the same path as `run`.
 */
import { ChaosError, ExitCode } from '../../core/errors.js';
import { isGiven, parseOptions } from '../../core/options.js';
import { DEFAULT_FAULT, FAULT_OPTIONS, faultsAccepting, metaFor } from '../../faults/catalog.js';
import { validateRunOptions, type RawRunOptions, type RunConfig } from '../../experiment/config.js';
import { loadExperimentFile } from '../../experiment/file.js';
import { parseGateOptions, type GateThresholds } from '../../experiment/gates.js';
import { checkMinInterval, type PacingCheck } from '../../report/pacing.js';
import { createClients } from '../../aws/clients.js';
import { isS3ReportDir, openReportStore, pacingCheck } from '../report-store.js';
import type { ReportFormat } from '../../experiment/formats.js';
import { RUN_OPTIONS } from '../../experiment/run-options.js';
import { prepareReportDir } from '../../report/report-dir.js';
import { defaultIo, runWithConfig, type RunIo } from './run.js';

export interface RunFileOverrides extends RawRunOptions {
  /** --format list (default json). */
  format?: string;
  /** --min-interval duration, checked for every ASG of the file before the first experiment. */
  minInterval?: string;
}

export type RunOne = (cfg: RunConfig, gates: GateThresholds, formats: ReportFormat[], io: RunIo) => Promise<number>;

const STOP_AT_ONCE: number[] = [ExitCode.RollbackIncomplete, ExitCode.Interrupted];

/**
 * The default: the same path as `run` (runWithConfig applies the gates and writes the formats). Pacing was
 * checked once for the whole file above, so each experiment runs without it.
 */
export const runOneExperiment: RunOne = (cfg, gates, formats, io) =>
  runWithConfig({ ...cfg, gates, formats: [...new Set<ReportFormat>(['json', ...formats])], minIntervalMs: undefined }, io);

/** Pacing for one group of the file, from its report dir (an S3 store opened with clients of its own). */
async function filePacing(cfg: RunConfig, asg: string, minIntervalMs: number): Promise<PacingCheck> {
  if (!(minIntervalMs > 0)) return { skipped: [] };
  if (!isS3ReportDir(cfg.reportDir)) return checkMinInterval(cfg.reportDir, asg, minIntervalMs);
  const clients = await createClients({
    ...(cfg.region ? { region: cfg.region } : {}),
    ...(cfg.profile ? { profile: cfg.profile } : {}),
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
  });
  try {
    return await pacingCheck(await openReportStore(cfg.reportDir, () => Promise.resolve(clients)), asg, minIntervalMs);
  } finally {
    clients.destroy();
  }
}

export async function runExperimentFile(path: string, overrides: RunFileOverrides, io: RunIo = defaultIo(), runOne: RunOne = runOneExperiment): Promise<number> {
  const file = await loadExperimentFile(path, process.env);
  const { format, minInterval, ...flags } = overrides;
  // CLI flags win over the file; unset ones (undefined) do not erase the file's values.
  const given: RawRunOptions = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const cliGates = parseGateOptions(Object.fromEntries(Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])));
  // The file-level flags, through the same definitions (and limits) as a single run's.
  const fileLevel = parseOptions(
    RUN_OPTIONS.filter((d) => d.name === 'format' || d.name === 'minInterval'),
    { format, minInterval },
  );
  const formats = fileLevel.values.format as ReportFormat[];
  const minIntervalMs = (fileLevel.values.minInterval as number | undefined) ?? 0;
  const errors: string[] = [...cliGates.errors, ...fileLevel.errors];
  const planned: { name: string; cfg: RunConfig; gates: GateThresholds }[] = [];
  // A fault-specific flag (--duration, --count …) overrides the experiments whose fault takes it, and is a
  // usage error only when none of them does: a file mixes faults, one command line serves them all.
  const kinds = file.experiments.map((e) => String(given.fault ?? e.raw.fault ?? DEFAULT_FAULT));
  for (const def of FAULT_OPTIONS) {
    const accepted = faultsAccepting(def);
    if (isGiven(given[def.name]) && !kinds.some((k) => accepted.includes(k))) errors.push(`${def.flag}: only with --fault ${accepted.join(' or ')} (no experiment of the file has one)`);
  }
  for (const [i, e] of file.experiments.entries()) {
    const own = metaFor(kinds[i]!);
    const forThis = Object.fromEntries(Object.entries(given).filter(([k]) => !own || !FAULT_OPTIONS.some((d) => d.name === k && !own.options.some((o) => o.def === d))));
    try {
      planned.push({ name: e.name, cfg: validateRunOptions({ ...e.raw, ...forThis }, process.env), gates: { ...e.gates, ...cliGates.thresholds } });
    } catch (err) {
      if (!(err instanceof ChaosError)) throw err;
      errors.push(`${e.name} (line ${e.line}) with the command-line flags: ${err.message}`);
    }
  }
  if (errors.length) throw new ChaosError(ExitCode.Usage, `${path}: ${errors.join('\n  ')}`, { phase: 'config' });

  // Every local report directory is checked before the first experiment touches AWS, like the flags (an S3
  // store is checked with the clients, below for pacing and by each experiment's run).
  for (const dir of new Set(planned.map((p) => p.cfg.reportDir))) if (!isS3ReportDir(dir)) await prepareReportDir(dir);
  // Pacing is judged once, before the first experiment: the file's own experiments run back to back.
  for (const asg of new Set(planned.map((p) => p.cfg.asg))) {
    const { skipped } = await filePacing(planned.find((p) => p.cfg.asg === asg)!.cfg, asg, minIntervalMs);
    for (const s of skipped) io.stderr.write(`chaos-ec2: warning: --min-interval skipped ${s.path}: ${s.reason}\n`);
  }

  let worst: number = ExitCode.Ok;
  for (const [i, p] of planned.entries()) {
    (p.cfg.json ? io.stderr : io.stdout).write(`\n▶ experiment ${i + 1}/${planned.length}: ${p.name}\n`);
    let code: number;
    try {
      code = await runOne(p.cfg, p.gates, formats, io);
    } catch (err) {
      if (!(err instanceof ChaosError)) throw err;
      io.stderr.write(`chaos-ec2: ${p.name}: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`);
      code = err.exitCode;
    }
    if (STOP_AT_ONCE.includes(code)) {
      io.stderr.write(`stopping: ${p.name} ended with exit ${code}; ${planned.length - i - 1} experiment(s) not run\n`);
      return code;
    }
    worst = Math.max(worst, code);
  }
  return worst;
}
