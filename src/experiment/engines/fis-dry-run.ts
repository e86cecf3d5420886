/**
 * `--dry-run --engine fis`: after the fault's EC2 DryRun checks proved the permissions (FIS's skip-all does
 * not check any), a template is created on the plan's ARNs, started with `experimentOptions.actionsMode:
 * skip-all` — FIS only resolves the targets — its resolved targets compared with the plan's, and the template
 * deleted (always: a dry run leaves nothing behind, --keep-template or not).
 *
 * SAFETY: a client that does not put `experimentOptions` on the wire starts a REAL experiment (the registry's
 * @aws-sdk/client-fis 3.523.0 drops it). So the dry run refuses unless the client is chaos-ec2's own FisClient,
 * which serializes every member it is given (a sandbox test asserts skip-all reached FIS); and should FIS
 * answer with any other actionsMode, the experiment is stopped at once and the dry run fails.
 */
import type { PermissionCheck } from '../../aws/ec2.js';
import { FisClient } from '../../aws/fis.js';
import { awsError, call } from '../../aws/errors.js';
import { setTimeout as delay } from 'node:timers/promises';
import { refused } from '../../core/errors.js';
import { faultFor } from '../../faults/index.js';
import type { Run } from '../run-context.js';
import type { Plan } from '../types.js';
import { startToken, targetMismatch, templateInput, resolvedArns, experimentTags } from './fis.js';
import { isTerminal, type FisApi } from './fis-watch.js';

/** Whether this client is known to send experimentOptions (only chaos-ec2's own does). */
export function sendsExperimentOptions(fis: unknown): boolean {
  return fis instanceof FisClient;
}

export async function fisDryRun({ cfg, deps }: Run, plan: Plan): Promise<PermissionCheck[]> {
  const fis = deps.clients.fis as FisApi;
  if (!sendsExperimentOptions(fis)) {
    throw refused('--dry-run --engine fis: this FIS client may not send experimentOptions, and FIS would then run the actions for real; nothing was started', {
      phase: 'confirm',
      hint: 'run --dry-run with --engine local, or use chaos-ec2 built with its own FIS client',
    });
  }
  const fault = faultFor(plan.fault.kind);
  const e = plan.engine!;
  const checks: PermissionCheck[] = [];
  let templateId: string;
  try {
    templateId = (await fis.createExperimentTemplate({ ...templateInput(plan, fault, e), clientToken: `${templateInput(plan, fault, e).clientToken}-dry-run` })).id;
  } catch (err) {
    const w = awsError(err, 'fis:CreateExperimentTemplate', { phase: 'confirm' });
    return [{ action: 'fis:CreateExperimentTemplate', allowed: false, detail: w.message }];
  }
  checks.push({ action: 'fis:CreateExperimentTemplate', allowed: true, detail: `template ${templateId} created (deleted again below)` });
  try {
    const started = await fis.startExperiment({
      experimentTemplateId: templateId,
      clientToken: `${startToken(plan.experimentId)}-dry-run`,
      tags: experimentTags(plan, fault),
      experimentOptions: { actionsMode: 'skip-all' },
    });
    if (started.experimentOptions?.actionsMode !== 'skip-all') {
      // FIS did not take skip-all: the actions may be running for real. Stop at once, and say so.
      await call('fis:StopExperiment', { phase: 'confirm', target: started.id }, () => fis.stopExperiment(started.id));
      return [
        ...checks,
        {
          action: 'fis:StartExperiment (skip-all)',
          allowed: false,
          detail: `FIS answered actionsMode ${started.experimentOptions?.actionsMode ?? '(none)'}: experiment ${started.id} stopped at once`,
        },
      ];
    }
    let x = started;
    const deadline = deps.clock.now() + Math.max(10_000, cfg.recoveryTimeoutMs);
    while (!isTerminal(x) && deps.clock.now() < deadline) {
      // A real, ref'd timer: the clock's timers never keep the process alive, and in a dry run nothing else
      // (no probe, no watcher) does — Node would end the run mid-wait (exit 13, an unsettled await).
      await delay(Math.min(cfg.pollMs, 1_000), undefined, { signal: deps.signal }).catch(() => undefined);
      if (deps.signal.aborted) break;
      x = await call('fis:GetExperiment', { phase: 'confirm', target: started.id }, () => fis.getExperiment(started.id));
    }
    const resolved = await resolvedArns(fis, started.id, 'confirm');
    const mismatch = targetMismatch(e.arns, resolved);
    checks.push({
      action: 'fis:StartExperiment (skip-all)',
      allowed: mismatch.length === 0 && x.state.status === 'completed',
      detail: `experiment ${started.id} ${x.state.status}; FIS resolved ${resolved.length} target(s): ${resolved.join(', ') || 'none'}${mismatch.length ? ` — ${mismatch.join('; ')}` : " (exactly the plan's)"}`,
    });
  } catch (err) {
    checks.push({ action: 'fis:StartExperiment (skip-all)', allowed: false, detail: awsError(err, 'fis:StartExperiment', { phase: 'confirm' }).message });
  } finally {
    try {
      await fis.deleteExperimentTemplate(templateId);
      checks.push({ action: 'fis:DeleteExperimentTemplate', allowed: true, detail: `template ${templateId} deleted` });
    } catch (err) {
      checks.push({ action: 'fis:DeleteExperimentTemplate', allowed: false, detail: `template ${templateId} NOT deleted: ${(err as Error)?.message ?? String(err)}` });
    }
  }
  return checks;
}
