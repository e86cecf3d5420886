/**
 * `recover` for FIS-engine runs: finds the chaos-ec2 FIS experiments still going (ListExperiments, every page,
 * by the chaos-ec2:experiment-id tag), stops each (FIS reverts what it injected), waits until FIS reports it
 * ended, then verifies with fresh reads what the fault's FIS module says FIS was to revert — against the
 * restore records on the experiment's own tags, so no journal is needed. Idempotent: an experiment that has
 * ended is not found again.
 *
 * Then the templates a run left behind (it crashed between creating and deleting its template): chaos-ec2's
 * tag, no --keep-template tag, and no experiment of the template still going once the ones above are stopped.
 * A template injects nothing by itself, so it is deleted last, and only after its experiments have ended.
 */
import { awsCode, awsError } from '../../aws/errors.js';
import type { ExperimentSummary, ExperimentTemplateSummary } from '../../aws/fis.js';
import { restoreMapFromTags } from '../../aws/nacl.js';
import { setTimeout as delay } from 'node:timers/promises';
import { FAULTS } from '../../faults/index.js';
import type { FaultRecovery, Leftover, RecoverContext, RecoverResult } from '../../faults/types.js';
import { TAG_EXPERIMENT, TAG_FAULT, TAG_KEEP_TEMPLATE } from './fis-plan.js';
import { TERMINAL_STATES, type FisApi } from './fis-watch.js';

/** How long `recover` waits for FIS to end a stopped experiment (it reverts before it reports stopped). */
const STOP_WAIT_MS = 60_000;

const fisOf = (ctx: RecoverContext) => ctx.clients.fis as FisApi;

function fisUnavailable(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === 403 || status === 404 || /AccessDenied|UnknownOperation|UnrecognizedClient/.test(awsCode(err));
}

async function find(ctx: RecoverContext, experimentId?: string): Promise<Leftover[]> {
  let all: ExperimentSummary[];
  try {
    all = await fisOf(ctx).listExperiments();
  } catch (err) {
    // No FIS here for this identity (the local engine's policy has no fis:*; an endpoint without FIS): then
    // there is no FIS experiment of ours to stop either. Any other error stops `recover` before any change.
    if (fisUnavailable(err)) return [];
    throw awsError(err, 'fis:ListExperiments', { phase: 'recover' });
  }
  let templates: ExperimentTemplateSummary[] = [];
  try {
    templates = await fisOf(ctx).listExperimentTemplates();
  } catch (err) {
    // A policy from before templates were cleaned up may lack fis:ListExperimentTemplates: the experiments
    // above are still stopped (the safety part); a template left behind injects nothing.
    if (!fisUnavailable(err)) throw awsError(err, 'fis:ListExperimentTemplates', { phase: 'recover' });
  }
  const ours = (tags: Record<string, string> | undefined): boolean => !!tags?.[TAG_EXPERIMENT] && (!experimentId || tags[TAG_EXPERIMENT] === experimentId);
  const going = all.filter((x) => ours(x.tags) && !TERMINAL_STATES.has(x.state.status));
  // A template still in use by an experiment that is not ours to stop (not chaos-ec2's, or another run's
  // when recovering one experiment) is left alone: deleting it is not this command's business.
  const busy = new Set(all.filter((x) => !TERMINAL_STATES.has(x.state.status) && !going.includes(x)).map((x) => x.experimentTemplateId));
  const leftTemplates = templates.filter((t) => ours(t.tags) && t.tags?.[TAG_KEEP_TEMPLATE] !== 'true' && !busy.has(t.id));
  return [...going.map(experimentLeftover), ...leftTemplates.map(templateLeftover)];
}

function templateLeftover(t: ExperimentTemplateSummary): Leftover {
  return {
    kind: 'fis-template',
    experimentId: t.tags![TAG_EXPERIMENT]!,
    // Like the experiments: no expiry of ours on it, so --expired leaves it.
    expiresAt: null,
    lines: [
      `FIS experiment template ${t.id}  experiment ${t.tags![TAG_EXPERIMENT]}  (left by a run that did not finish; it injects nothing by itself)`,
      `  DeleteExperimentTemplate once no experiment of it is running`,
    ],
    data: t,
  };
}

function experimentLeftover(x: ExperimentSummary): Leftover {
  const restore = restoreMapFromTags(x.tags ?? {});
  return {
    kind: 'fis-experiment',
    experimentId: x.tags![TAG_EXPERIMENT]!,
    // FIS ends its own experiments (duration); chaos-ec2 sets no expiry on them, so --expired leaves them to FIS.
    expiresAt: null,
    lines: [
      `FIS experiment ${x.id} (${x.tags?.[TAG_FAULT] ?? 'fault ?'})  experiment ${x.tags![TAG_EXPERIMENT]}  ${x.state.status}  template ${x.experimentTemplateId ?? '?'}`,
      `  StopExperiment (FIS reverts what it injected), wait until it has ended`,
      ...(restore.size ? [`  then verify ${[...restore].map(([s, n]) => `${s} back on ${n}`).join(', ')}`] : []),
    ],
    data: x,
  };
}

async function undo(items: Leftover[], ctx: RecoverContext): Promise<RecoverResult> {
  const fis = fisOf(ctx);
  const result: RecoverResult = { complete: true, done: [], remaining: [] };
  // Templates whose experiment did not end here: not deleted (FIS would still be running it).
  const stillGoing = new Set<string | undefined>();
  for (const item of items) {
    if (item.kind !== 'fis-experiment') continue;
    const x = item.data as ExperimentSummary;
    try {
      if (x.state.status !== 'stopping') await fis.stopExperiment(x.id);
      result.done.push(`stopped FIS experiment ${x.id}`);
      let status = x.state.status;
      const deadline = ctx.now() + STOP_WAIT_MS;
      while (!TERMINAL_STATES.has(status) && ctx.now() < deadline) {
        // A ref'd timer (the clock's are unref'd): nothing else keeps `recover` alive while FIS stops.
        await delay(250);
        status = (await fis.getExperiment(x.id)).state.status;
      }
      if (!TERMINAL_STATES.has(status)) {
        stillGoing.add(x.experimentTemplateId);
        result.remaining.push(`FIS experiment ${x.id} still ${status} after ${STOP_WAIT_MS / 1000}s: run recover again`);
        result.complete = false;
        continue;
      }
      result.done.push(`FIS experiment ${x.id} ${status}`);
    } catch (err) {
      stillGoing.add(x.experimentTemplateId);
      result.remaining.push(`FIS experiment ${x.id}: not stopped (${(err as Error)?.message ?? String(err)})`);
      result.complete = false;
      continue;
    }
    const spec = FAULTS.find((f) => f.kind === x.tags?.[TAG_FAULT])?.fis;
    const restore = restoreMapFromTags(x.tags ?? {});
    if (spec?.verify && restore.size) {
      const v = await spec.verify(ctx.clients, restore, 'recover');
      result.done.push(...(v.actions ?? []));
      result.remaining.push(...v.remaining);
      result.complete &&= v.complete;
    }
  }
  for (const item of items) {
    if (item.kind !== 'fis-template') continue;
    const t = item.data as ExperimentTemplateSummary;
    if (stillGoing.has(t.id)) {
      result.remaining.push(`FIS experiment template ${t.id}: not deleted, an experiment of it has not ended: run recover again`);
      result.complete = false;
      continue;
    }
    try {
      await fis.deleteExperimentTemplate(t.id);
      result.done.push(`deleted FIS experiment template ${t.id}`);
    } catch (err) {
      // Gone meanwhile (deleted by hand, or by the run itself): what recover wanted.
      if (/ResourceNotFound/.test(awsCode(err))) result.done.push(`FIS experiment template ${t.id} already deleted`);
      else {
        result.remaining.push(`FIS experiment template ${t.id}: not deleted (${(err as Error)?.message ?? String(err)})`);
        result.complete = false;
      }
    }
  }
  return result;
}

/** Beside the faults' own recoveries, run FIRST: FIS's revert must come before anything is verified. */
export const fisRecovery: { kind: string; recover: FaultRecovery } = { kind: 'fis-experiment', recover: { find, undo } };
