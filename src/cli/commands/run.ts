/**
 * `chaos-ec2 run`: validates the flags, wires the runner to real AWS clients, the terminal (plan, prompt,
 * live progress) and the report files, and returns the exit code. Printing happens here, not in engines.
 */
import { redacting } from '../../core/redact.js';
import { readFileSync } from 'node:fs';
import { createClients, type AwsClients } from '../../aws/clients.js';
import { interrupted, refused } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { onInterrupt, type InterruptHandle } from '../../core/signals.js';
import { validateRunOptions, type RawRunOptions, type RunConfig } from '../../experiment/config.js';
import { applyGates } from '../../experiment/gates.js';
import type { PacingCheck } from '../../report/pacing.js';
import { renderPlan } from '../../experiment/plan.js';
import { realDeps } from '../../experiment/deps.js';
import { recoverCommand, runExperiment, type RunEvent } from '../../experiment/runner.js';
import { faultFor } from '../../faults/index.js';
import type { Plan, Report } from '../../experiment/types.js';
import { createProgress, type Progress } from '../../report/progress.js';
import { renderSummary } from '../../report/terminal.js';
import { formatOffset } from '../../report/text.js';
import { writeReportsSettled } from '../../report/write.js';
import { confirmOnTty } from '../confirm.js';
import { openReportStore, pacingCheck, startJournalCopy, uploadRun, type ReportStore } from '../report-store.js';
import { mfaPrompt } from '../mfa-prompt.js';
import { profileName } from '../../aws/credentials.js';

export interface RunIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

/** The process's streams; what is written to stdout and stderr passes the secrets redactor (core/redact.ts). */
export const defaultIo = (): RunIo => ({ stdout: redacting(process.stdout), stderr: redacting(process.stderr), stdin: process.stdin });

export function toolVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function runCommand(raw: RawRunOptions, io: RunIo = defaultIo()): Promise<number> {
  const cfg = validateRunOptions(raw);
  return runWithConfig(cfg, io);
}

export async function runWithConfig(cfg: RunConfig, io: RunIo = defaultIo(), extra: { endpoint?: string } = {}): Promise<number> {
  // The run owns SIGINT/SIGTERM from its first line: every phase after this one checks the signal (below, and
  // between the runner's phases), so an interrupt is 130 at whatever point it comes, never a run that goes on.
  let planned: Plan | undefined;
  let injected: Plan | undefined;
  let damage: { experimentId: string; items: string[] } | undefined;
  const interrupt = onInterrupt(() => {
    if (damage && damage.items.length) {
      return {
        injected: true,
        message: [`Experiment ${damage.experimentId} may still be injected:`, ...damage.items.map((i) => `  ${i}`), 'Undo it with:', `  ${recoverCommand(cfg, damage.experimentId)}`].join(
          '\n',
        ),
      };
    }
    // Injected, with nothing registered to undo (yet, or ever): the fault says what that leaves.
    return { injected: false, message: injected ? `Experiment ${injected.experimentId}: ${faultFor(injected.fault.kind).afterwards}.` : 'Nothing was injected.' };
  }, writeNeverThrowing(io.stderr));
  try {
    return await runInterruptible(cfg, io, extra, interrupt, {
      planned: (p) => (planned = p),
      injecting: () => (injected = planned),
      damage: (d) => (damage = d),
    });
  } finally {
    interrupt.dispose();
  }
}

/** Before discovery there is no group to report on: an interrupt there is one line and 130, no report file. */
function checkInterrupt(interrupt: InterruptHandle, before: string): void {
  if (interrupt.signal.aborted) throw interrupted(`interrupted before ${before}; nothing was injected`, { phase: 'discover' });
}

async function runInterruptible(
  given: RunConfig,
  io: RunIo,
  extra: { endpoint?: string },
  interrupt: InterruptHandle,
  track: { planned(p: Plan): void; injecting(): void; damage(d: { experimentId: string; items: string[] }): void },
): Promise<number> {
  let cfg = given;
  const endpoint = cfg.endpoint ?? extra.endpoint;
  // A closed stdout/stderr (`| head`, a killed tee, a CI log collector going away) must never crash a run
  // with a fault injected: write errors (EPIPE) are dropped for the rest of the process's life — output is
  // a view of the run, and the report files and the exit code still carry the outcome. The listeners stay
  // installed on purpose: an EPIPE can surface after the run returns, while the process is exiting.
  ignoreWriteErrors(io.stdout);
  ignoreWriteErrors(io.stderr);
  // The MFA prompt (a profile with mfa_serial) stops the spinner first (once there is one): it would redraw
  // over the question. It can come as early as the S3 report store's check, before the spinner exists.
  const askMfa = mfaPrompt(profileName(cfg.profile), io.stdin, io.stderr);
  let stopSpinner: (() => Promise<void>) | undefined = undefined;
  const mfaCode = async (serial: string) => {
    await stopSpinner?.();
    return askMfa(serial);
  };
  // The report directory is part of the configuration: an unusable one is exit 2 before any AWS call (an S3
  // store: exit 5 right after the clients exist), not a run that injects and then has nowhere to put its
  // journal and report. From here on the run writes to store.dir (an S3 store's local mirror).
  let made: AwsClients | undefined;
  const makeClients = async () =>
    (made ??= await createClients({ ...(cfg.region ? { region: cfg.region } : {}), ...(cfg.profile ? { profile: cfg.profile } : {}), ...(endpoint ? { endpoint } : {}), mfaCode }));
  let store: ReportStore;
  try {
    store = await openReportStore(given.reportDir, makeClients);
    cfg = { ...given, reportDir: store.dir };
    checkInterrupt(interrupt, 'discovery');
    if (cfg.minIntervalMs) warnSkipped(io.stderr, await pacingCheck(store, cfg.asg, cfg.minIntervalMs));
  } catch (err) {
    made?.destroy();
    throw err;
  }
  const clients = await makeClients();
  let journalCopy: { stop(): Promise<void> } | undefined;
  // Human output goes to stderr when stdout is reserved for the JSON report.
  const human = cfg.json ? io.stderr : io.stdout;
  const newProgress = () => createProgress({ stream: human, isTTY: Boolean(human.isTTY), json: false, color: !process.env.NO_COLOR });
  // The spinner runs while the run works on its own, never while it waits for the operator: it is stopped
  // for the plan and the prompt (it would redraw over "Type 'yes' to continue"), and a new one starts with
  // the next phase the run reports (the baseline), once the answer is in.
  let progress: Progress | undefined = newProgress();
  const live = () => (progress ??= newProgress());
  let state = { phase: 'discover', rate: 0, errorRate: 0, p99: null as number | null, healthy: 0, desired: 0, inService: 0, elapsedMs: 0 };
  let stopping: Promise<void> = Promise.resolve();
  const pause = (): Promise<void> => {
    const p = progress;
    progress = undefined;
    if (p) stopping = stopping.then(() => p.stop());
    return stopping;
  };
  stopSpinner = pause;
  const emit = (e: RunEvent) => {
    if (e.type === 'plan') {
      track.planned(e.plan);
      journalCopy ??= startJournalCopy(store, e.plan.experimentId);
      void pause();
      human.write(`${renderPlan(e.plan, clients.endpoint)}\n\n`);
    } else if (e.type === 'damage') {
      track.damage({ experimentId: e.experimentId, items: e.items });
    } else if (e.type === 'phase') {
      if (e.phase === 'inject') track.injecting();
      state = { ...state, phase: e.phase };
      live().update(state);
    } else if (e.type === 'timeline') {
      live().log(`${formatOffset(e.entry.atMs)}  ${e.entry.event}${e.entry.instanceId ? ` ${e.entry.instanceId}` : ''}${e.entry.detail ? `  ${e.entry.detail}` : ''}`);
    } else if (e.type === 'second') {
      const s = e.second;
      state = {
        phase: state.phase,
        rate: s.sent,
        errorRate: s.sent ? s.failed / s.sent : 0,
        p99: s.p99,
        healthy: e.capacity?.healthy ?? 0,
        desired: e.capacity?.desired ?? 0,
        // Units InService (equal to the instance count when unweighted), as desired and healthy count.
        inService: e.capacity?.capacity ?? 0,
        elapsedMs: (s.t + 1) * 1000,
      };
      live().update(state);
    }
  };
  try {
    checkInterrupt(interrupt, 'discovery');
    const outcome = await runExperiment(
      cfg,
      realDeps({
        clients,
        rng: createRng(cfg.seed),
        signal: interrupt.signal,
        emit,
        version: toolVersion(),
        confirm: async (plan) => {
          if (!io.stdin.isTTY) {
            throw refused('refusing to inject without confirmation: stdin is not a TTY and --yes was not given', {
              phase: 'confirm',
              hint: 'review the plan above (or run with --dry-run), then pass --yes',
            });
          }
          await pause();
          // An interrupt closes the prompt (answer: no); the runner sees the aborted signal and ends with 130.
          return confirmOnTty(`Inject ${plan.fault.kind} into ${plan.asg} in account ${plan.account}?`, io.stdin, io.stderr, {
            signal: interrupt.signal,
            onCtrlC: () => interrupt.raise('SIGINT'),
          });
        },
      }),
    );
    await pause();
    if (outcome.permissions) {
      for (const p of outcome.permissions) human.write(`${p.allowed ? '✓' : '✗'} ${p.action}: ${p.allowed && !p.action.startsWith('fis:') ? 'allowed (EC2 DryRun)' : p.detail}\n`);
      const executed = outcome.permissions.filter((p) => p.executed);
      const left = executed.flatMap((p) => p.executed!.remaining);
      if (executed.length) {
        human.write(
          left.length
            ? `dry run: the endpoint carried out DryRun calls for real; still there: ${left.join('; ')}\n`
            : 'dry run: the endpoint carried out DryRun calls for real; what they created was deleted again and verified gone (no subnet was touched)\n',
        );
      } else human.write(outcome.exitCode === 0 ? 'dry run: nothing was changed.\n' : 'dry run: permission missing; nothing was changed.\n');
    }
    let exitCode = outcome.exitCode;
    if (outcome.report) {
      // Threshold gates judge the finished report; a failed gate turns a pass into a fail (exit 1).
      const gated = applyGates(outcome.report, cfg.gates);
      const report = cfg.metricsNamespace ? await publishMetrics(clients, cfg.metricsNamespace, gated, human, io.stderr) : gated;
      exitCode = report.exitCode;
      interrupt.decided(exitCode);
      human.write(`writing the report to ${cfg.reportDir}\n`);
      await publishReport(report, cfg, io);
      await journalCopy?.stop();
      journalCopy = undefined;
      await uploadReports(store, report.id, human, io.stderr);
      await notifyAll(report, cfg, store.reportUrl(report.id), io.stderr);
      const rb = report.rollback;
      if (rb?.status === 'incomplete') {
        io.stderr.write(`\nROLLBACK INCOMPLETE — still injected:\n${rb.remaining.map((r) => `  ${r}`).join('\n')}\nfinish it with:\n  ${rb.recoverCommand}\n`);
      } else if (rb?.status === 'complete') {
        human.write(`rollback: complete — ${faultFor(report.fault?.kind ?? cfg.fault).afterwards}\n`);
      }
    }
    return exitCode;
  } finally {
    await journalCopy?.stop();
    await pause();
    clients.destroy();
  }
}

/**
 * After a finished run: writes the report files, prints `--json` and the summary. The run's outcome is
 * decided and its exit code stands whatever happens here: a report that cannot be written (a full disk, a
 * folder removed mid-run) is one line on stderr saying where it would have gone and why, and `--json`
 * still carries the whole report on stdout.
 */
export async function publishReport(
  report: Report,
  cfg: Pick<RunConfig, 'reportDir' | 'formats' | 'json'>,
  io: Pick<RunIo, 'stdout' | 'stderr'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const human = cfg.json ? io.stderr : io.stdout;
  const color = Boolean(human.isTTY) && !env.NO_COLOR;
  const { paths, failures } = await writeReportsSettled(report, cfg.reportDir, cfg.formats, env);
  if (cfg.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  human.write(`${renderSummary(report, { color, width: Math.min(human.columns ?? 100, 120) })}\n`);
  for (const [format, path] of Object.entries(paths)) human.write(`report (${format}): ${path}\n`);
  for (const f of failures) io.stderr.write(`chaos-ec2: the report could not be written to ${f.path}: ${f.reason} (the run's result and exit code stand)\n`);
}

/**
 * --notify: after the report is written (so the message can point at it). Failures are warnings: the verdict
 * and the exit code were decided before this line and stand whatever a webhook does.
 */
async function notifyAll(report: Report, cfg: RunConfig, where: string, stderr: NodeJS.WritableStream): Promise<void> {
  if (!cfg.notify?.length) return;
  const { notifySummary, sendNotifications } = await import('../../report/notify.js');
  const warnings = await sendNotifications(
    cfg.notify.map((url) => ({ url, ...(cfg.notifyFormat ? { format: cfg.notifyFormat } : {}) })),
    notifySummary(report, where),
  );
  for (const w of warnings) stderr.write(`chaos-ec2: warning: ${w}\n`);
}

/** --metrics-namespace: published after the gates; a failure is a warning (report.metrics.error), never the exit code. */
async function publishMetrics(clients: AwsClients, namespace: string, report: Report, human: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<Report> {
  const { publishRunMetrics } = await import('../../report/metrics.js');
  const out = await publishRunMetrics(clients.cloudwatch, namespace, report, (line) => stderr.write(`chaos-ec2: warning: ${line}\n`));
  if (out.metrics?.published) human.write(`metrics: published to CloudWatch namespace ${namespace}\n`);
  return out;
}

/** An S3 report store gets the run's files once they are written; a failed upload is a warning (the files stay local). */
async function uploadReports(store: ReportStore, id: string, human: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  if (!store.s3) return;
  const { uploaded, failures } = await uploadRun(store, id);
  for (const u of uploaded) human.write(`uploaded: ${u}\n`);
  for (const f of failures) stderr.write(`chaos-ec2: warning: not uploaded to S3: ${f} (kept in ${store.dir}/${id}; the run's result and exit code stand)\n`);
}

/** Pacing read past what it could not read: say so, since a skipped run could have been the recent one. */
function warnSkipped(stderr: NodeJS.WritableStream, pacing: PacingCheck): void {
  for (const s of pacing.skipped) stderr.write(`chaos-ec2: warning: --min-interval skipped ${s.path}: ${s.reason}\n`);
}

/** What the signal handler says goes to the run's stderr (through the redactor), and never throws in a handler. */
function writeNeverThrowing(stream: NodeJS.WritableStream): (s: string) => void {
  return (s) => {
    try {
      stream.write(s);
    } catch {
      // A closed stderr: the report file and the exit code still carry the outcome.
    }
  };
}

const ignored = new WeakSet<NodeJS.WritableStream>();
function ignoreWriteErrors(stream: NodeJS.WritableStream): void {
  if (ignored.has(stream)) return;
  ignored.add(stream);
  stream.on('error', () => undefined);
}
