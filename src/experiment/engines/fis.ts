/**
 * The FIS engine: AWS FIS injects the planned fault and reverts it on AWS's side, so a laptop that sleeps or
 * a CI runner that dies mid-hold no longer leaves an AZ dark — FIS ends the disruption at the end of its
 * duration with no chaos-ec2 process alive. chaos-ec2 keeps everything else (plan, floors, lease, baseline,
 * probe, watcher) and verifies FIS's revert afterwards, as it verifies its own.
 *
 * Safety invariants, in order of the calls:
 * 1. the template names the exact ARNs the plan chose (selection mode ALL): the seed and the floors hold;
 * 2. the journal records each call's intent (with its clientToken) before the call, and its answer after;
 *    StartExperiment's clientToken derives from the experiment id, so a retried start is the same experiment;
 * 3. the rollback (StopExperiment → wait until FIS has ended it → verify → delete the template) is registered
 *    BEFORE StartExperiment: a start whose answer is lost is found by its template and stopped all the same;
 * 4. the targets FIS resolved must equal the plan's; any other set stops the experiment (an error, exit 1);
 * 5. FIS rejecting the template (role, targets, permissions) is a refusal: nothing was started.
 */
import type { Experiment } from '../../aws/fis.js';
import { awsCode, awsError, call } from '../../aws/errors.js';
import { ChaosError, ExitCode, interrupted, refused, throwIfInterrupted } from '../../core/errors.js';
import { sleep } from '../../core/clock.js';
import type { Fault, RollbackResult } from '../../faults/types.js';
import type { Plan, PlanEngine } from '../types.js';
import { fisOf, fisSteps, planEngine, TAG_EXPERIMENT, TAG_FAULT, TAG_KEEP_TEMPLATE } from './fis-plan.js';
import { FisWatch, actionsEnded, actionsStartedAt, foreignStop, isTerminal, type FisApi } from './fis-watch.js';
import type { Engine, EngineContext, EngineInjection } from './types.js';

/** The FIS console page of an experiment (the report links it). */
export function consoleUrl(region: string, experimentId: string): string {
  return `https://${region}.console.aws.amazon.com/fis/home?region=${region}#ExperimentDetails:ExperimentId=${experimentId}`;
}

/** Derived from chaos-ec2's experiment id: a retried call within FIS's idempotency window is the same call. */
export const templateToken = (experimentId: string): string => `chaos-ec2-template-${experimentId}`;
export const startToken = (experimentId: string): string => `chaos-ec2-start-${experimentId}`;

const REJECTED = new Set(['ValidationException', 'AccessDeniedException', 'AccessDenied', 'ResourceNotFoundException', 'ServiceQuotaExceededException', 'ConflictException']);

const REFUSAL_HINT = "check --fis-role-arn (trusted by fis.amazonaws.com, with the permissions `chaos-ec2 iam-policy --engine fis` prints) and the caller's fis:* permissions";

/** FIS said no to the template or the start: a refusal (exit 3) when it is about the request, else exit 5. */
function rejection(err: unknown, what: string, target: string): ChaosError {
  const wrapped = awsError(err, what, { phase: 'inject', target });
  if (!REJECTED.has(awsCode(err))) return wrapped;
  return refused(`FIS rejected the ${what.replace('fis:', '')}: ${wrapped.message.replace(`${what}: `, '')}; nothing was injected`, {
    phase: 'inject',
    target,
    hint: REFUSAL_HINT,
    cause: err,
  });
}

export function experimentTags(plan: Plan, fault: Fault): Record<string, string> {
  return { [TAG_EXPERIMENT]: plan.experimentId, [TAG_FAULT]: plan.fault.kind, ...(fisOf(fault).tags?.(plan) ?? {}) };
}

/** The template as FIS takes it (CreateExperimentTemplate), from the plan's engine section. */
export function templateInput(plan: Plan, fault: Fault, e: PlanEngine) {
  return {
    clientToken: templateToken(plan.experimentId),
    description: `chaos-ec2 ${plan.fault.kind} on ${plan.asg} (${plan.experimentId})`,
    roleArn: e.roleArn,
    stopConditions: e.stopConditions.length ? e.stopConditions.map((value) => ({ source: 'aws:cloudwatch:alarm', value })) : [{ source: 'none' }],
    targets: e.targets,
    actions: e.actions,
    // --keep-template: `recover` must leave this template alone too (it deletes the ones a crashed run left).
    tags: { ...experimentTags(plan, fault), ...(e.keepTemplate ? { [TAG_KEEP_TEMPLATE]: 'true' } : {}) },
  };
}

const engineOf = (plan: Plan): PlanEngine => {
  if (plan.engine?.kind !== 'fis') throw new Error('the FIS engine was handed a plan without its engine section');
  return plan.engine;
};

/** ARNs FIS says it resolved (each resolved target's information names its ARN). */
export async function resolvedArns(fis: FisApi, experimentId: string, phase: 'inject' | 'confirm'): Promise<string[]> {
  const targets = await call('fis:ListExperimentResolvedTargets', { phase, target: experimentId }, () => fis.listExperimentResolvedTargets(experimentId));
  return [...new Set(targets.flatMap((t) => Object.values(t.targetInformation ?? {}).filter((v) => v.startsWith('arn:'))))].sort();
}

/** PURE: what differs between the plan's ARNs and FIS's (empty: the same set). */
export function targetMismatch(planned: string[], resolved: string[]): string[] {
  const p = new Set(planned);
  const r = new Set(resolved);
  return [...[...p].filter((a) => !r.has(a)).map((a) => `not resolved: ${a}`), ...[...r].filter((a) => !p.has(a)).map((a) => `not planned: ${a}`)];
}

export const fisEngine: Engine = {
  kind: 'fis',

  annotate(plan, fault, cfg, stopAlarmArns) {
    plan.engine = planEngine(plan, fault, cfg, stopAlarmArns);
    plan.steps = fisSteps(plan, plan.engine);
    return Promise.resolve();
  },

  holdMs: (plan) => engineOf(plan).holdMs,

  async inject(plan, fault, ctx) {
    const e = engineOf(plan);
    const fis = ctx.clients.fis as FisApi;
    const input = templateInput(plan, fault, e);
    await ctx.journal.record({ type: 'intent', action: 'fis:CreateExperimentTemplate', clientToken: input.clientToken, undo: 'DeleteExperimentTemplate' });
    throwIfInterrupted(ctx.signal, 'creating the FIS experiment template');
    let templateId: string;
    try {
      templateId = (await fis.createExperimentTemplate(input, { signal: ctx.signal })).id;
    } catch (err) {
      if (ctx.signal.aborted) throw interrupted('interrupted while creating the FIS experiment template; nothing was injected', { phase: 'inject' });
      throw rejection(err, 'fis:CreateExperimentTemplate', plan.asg);
    }
    await ctx.journal.record({ type: 'done', action: 'fis:CreateExperimentTemplate', templateId });
    ctx.record({ atMs: ctx.now(), event: 'fis-template-created', templateId, detail: `FIS experiment template ${templateId}` });
    const deleteTemplate = () => removeTemplate(fis, templateId, e.keepTemplate, ctx);
    const token = startToken(plan.experimentId);
    try {
      await ctx.journal.record({ type: 'intent', action: 'fis:StartExperiment', templateId, clientToken: token, undo: 'StopExperiment (FIS reverts what it injected)' });
      throwIfInterrupted(ctx.signal, 'starting the FIS experiment');
    } catch (err) {
      // Nothing started: the template is only clutter, deleted before the error goes on.
      await deleteTemplate();
      throw err;
    }
    const run = { experimentId: undefined as string | undefined, watch: undefined as FisWatch | undefined };
    // Registered BEFORE the start (invariant 3).
    ctx.registerRollback({
      description: `stop FIS experiment of template ${templateId} (FIS reverts), verify, delete the template`,
      run: () => stopAndVerify(plan, fault, fis, templateId, run, ctx),
    });
    ctx.setDamage([`FIS experiment of template ${templateId} starting (stop it with StopExperiment; FIS reverts)`]);
    let started: Experiment;
    try {
      started = await fis.startExperiment(
        { experimentTemplateId: templateId, clientToken: token, tags: experimentTags(plan, fault), experimentOptions: { actionsMode: 'run-all' } },
        { signal: ctx.signal },
      );
    } catch (err) {
      if (REJECTED.has(awsCode(err))) {
        // FIS refused to start it: nothing runs. The rollback finds no experiment and deletes the template.
        throw rejection(err, 'fis:StartExperiment', templateId);
      }
      throw awsError(err, 'fis:StartExperiment', { phase: 'inject', target: templateId });
    }
    run.experimentId = started.id;
    const url = consoleUrl(plan.region, started.id);
    await ctx.journal.record({ type: 'done', action: 'fis:StartExperiment', templateId, experimentId: started.id, consoleUrl: url });
    ctx.record({ atMs: ctx.now(), event: 'fis-experiment-started', experimentId: started.id, consoleUrl: url, detail: `FIS experiment ${started.id} (${url})` });
    ctx.setDamage([`FIS experiment ${started.id} running (chaos-ec2 recover stops it; FIS reverts)`]);
    const watch = new FisWatch(fis, started.id, ctx);
    run.watch = watch;
    let t0: number;
    try {
      t0 = await untilInjecting(watch, ctx);
    } catch (err) {
      if (!(err instanceof EndedBeforeInjecting)) throw err;
      // FIS ended it before any action started (a role it cannot assume, targets it cannot resolve): nothing
      // was injected, so it is a refusal (exit 3), and the template goes now, since no rollback will run.
      await removeTemplate(fis, templateId, e.keepTemplate, ctx);
      throw Object.assign(refused(`${err.message}; nothing was injected`, { phase: 'inject', target: started.id, hint: REFUSAL_HINT }), { nothingInjected: true });
    }
    const resolved = await resolvedArns(fis, started.id, 'inject');
    const mismatch = targetMismatch(e.arns, resolved);
    ctx.record({ atMs: ctx.now(), event: 'fis-targets-resolved', resolved, detail: mismatch.length ? mismatch.join('; ') : `FIS resolved exactly the plan's ${e.arns.length} resource(s)` });
    if (mismatch.length) {
      throw new ChaosError(ExitCode.GateFailed, `FIS resolved other targets than the plan's (${mismatch.join('; ')}): experiment stopped`, { phase: 'inject', target: started.id });
    }
    let fired = false;
    watch.follow((x) => {
      const stop = fired ? undefined : foreignStop(x, watch.stopRequested, e.stopConditions);
      if (!stop) return;
      fired = true;
      ctx.stopFired(ctx.now(), stop.name, stop.detail);
    });
    const result: EngineInjection = { t0, holdOver: () => watch.latest !== undefined && actionsEnded(watch.latest) };
    return result;
  },
};

/** FIS ended the experiment before any action had a startTime: nothing was injected. */
class EndedBeforeInjecting extends Error {}

/** Polls until every action has a startTime (t0: the latest of them); FIS ending the experiment first is an error. */
async function untilInjecting(watch: FisWatch, ctx: EngineContext): Promise<number> {
  const deadline = ctx.now() + ctx.cfg.recoveryTimeoutMs;
  for (;;) {
    const x = await watch.poll();
    const at = actionsStartedAt(x);
    if (at !== undefined) return at;
    if (isTerminal(x)) {
      const why = `FIS experiment ${watch.experimentId} ${x.state.status} before its actions started${x.state.reason ? `: ${x.state.reason}` : ''}`;
      if (!Object.values(x.actions ?? {}).some((a) => a.startTime)) throw new EndedBeforeInjecting(why);
      throw new ChaosError(ExitCode.GateFailed, why, { phase: 'inject' });
    }
    if (ctx.signal.aborted) throw interrupted(`interrupted while FIS experiment ${watch.experimentId} was starting`, { phase: 'inject' });
    if (ctx.now() >= deadline)
      throw new ChaosError(ExitCode.GateFailed, `FIS experiment ${watch.experimentId} still ${x.state.status} after ${ctx.cfg.recoveryTimeoutMs / 1000}s`, { phase: 'inject' });
    await sleep(ctx.clock, ctx.cfg.pollMs, ctx.signal);
  }
}

async function removeTemplate(fis: FisApi, templateId: string, keep: boolean, ctx: Pick<EngineContext, 'now' | 'record'>): Promise<boolean> {
  if (keep) return false;
  try {
    await fis.deleteExperimentTemplate(templateId);
    ctx.record({ atMs: ctx.now(), event: 'fis-template-deleted', templateId, detail: `FIS experiment template ${templateId} deleted` });
    return true;
  } catch (err) {
    // A template left behind injects nothing: said on the timeline, never a reason for exit 4.
    ctx.record({ atMs: ctx.now(), event: 'fis-template-delete-failed', templateId, detail: `template ${templateId} not deleted: ${(err as Error)?.message ?? String(err)}` });
    return false;
  }
}

/**
 * The rollback: stop the experiment unless FIS has already ended it, wait until FIS reports it ended (it
 * reverts its disruption itself), verify what it reverted with fresh reads, delete the template.
 */
async function stopAndVerify(
  plan: Plan,
  fault: Fault,
  fis: FisApi,
  templateId: string,
  run: { experimentId: string | undefined; watch: FisWatch | undefined },
  ctx: EngineContext,
): Promise<RollbackResult> {
  await run.watch?.halted();
  const remaining: string[] = [];
  const actions: string[] = [];
  // A start whose answer was lost: the experiment is found by its template.
  run.experimentId ??= (await fis.listExperiments({ experimentTemplateId: templateId })).find((x) => x.tags?.[TAG_EXPERIMENT] === plan.experimentId)?.id;
  if (run.experimentId) {
    const watch = run.watch ?? new FisWatch(fis, run.experimentId, ctx);
    let x = await watch.poll('rollback');
    // Already stopping (a stop condition, or an earlier StopExperiment): FIS is reverting; only wait for it.
    if (!isTerminal(x) && x.state.status !== 'stopping' && !actionsEnded(x)) {
      watch.stopRequested = true;
      await call('fis:StopExperiment', { phase: 'rollback', target: run.experimentId }, () => fis.stopExperiment(run.experimentId!));
      ctx.record({ atMs: ctx.now(), event: 'fis-stop-requested', experimentId: run.experimentId, detail: `StopExperiment ${run.experimentId}` });
      actions.push(`stopped FIS experiment ${run.experimentId}`);
    }
    // FIS reverts before it reports the experiment ended: wait for that (bounded by the unwind's own window).
    const deadline = ctx.now() + Math.max(5_000, ctx.cfg.recoveryTimeoutMs);
    while (!isTerminal(x) && ctx.now() < deadline) {
      await sleep(ctx.clock, Math.min(ctx.cfg.pollMs, 1_000));
      x = await watch.poll('rollback');
    }
    if (!isTerminal(x)) remaining.push(`FIS experiment ${run.experimentId} still ${x.state.status}: it may still be injecting (chaos-ec2 recover stops it)`);
  }
  let detail: unknown;
  const spec = fisOf(fault);
  if (spec.verify && remaining.length === 0) {
    const restore = new Map(Object.entries(spec.tags?.(plan) ?? {}).map(([k, v]) => [k.replace(/^chaos-ec2:restore:/, ''), v]));
    const v = await spec.verify(ctx.clients, restore, 'rollback');
    remaining.push(...v.remaining);
    actions.push(...(v.actions ?? []));
    detail = v.detail;
    for (const line of v.actions ?? []) ctx.record({ atMs: ctx.now(), event: 'fis-revert-verified', detail: line });
  }
  if (remaining.length === 0) await removeTemplate(fis, templateId, engineOf(plan).keepTemplate, ctx);
  return { complete: remaining.length === 0, remaining, actions, ...(detail !== undefined ? { detail } : {}) };
}
