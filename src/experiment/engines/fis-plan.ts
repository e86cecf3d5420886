/**
 * `--engine fis`, at planning time: the experiment template as it will be created — on the exact ARNs the
 * plan chose, ⌈n/5⌉ targets and actions, the role, the stop conditions — written into the plan (so it is
 * shown, confirmed and journaled before it exists), and the plan's steps in FIS's terms, including a duration
 * rounded up to FIS's minimum PT1M.
 */
import { usageError } from '../../core/errors.js';
import type { Fault, FaultFis } from '../../faults/types.js';
import type { RunConfig } from '../config.js';
import type { Plan, PlanEngine } from '../types.js';

export const TAG_EXPERIMENT = 'chaos-ec2:experiment-id';
/** On the FIS experiment: which fault it carries out (`recover` verifies with that fault's FIS module). */
export const TAG_FAULT = 'chaos-ec2:fault';
/** On a template created with --keep-template: kept by the run, and by `recover`. */
export const TAG_KEEP_TEMPLATE = 'chaos-ec2:keep-template';

/** The fault's FIS module; a fault without one cannot run under FIS (a usage error, nothing was called). */
export function fisOf(fault: Fault): FaultFis {
  if (!fault.fis) throw usageError(`--engine fis: fault ${fault.kind} has no FIS action; run it with --engine local`);
  return fault.fis;
}

export function planEngine(plan: Plan, fault: Fault, cfg: RunConfig, stopConditions: string[]): PlanEngine {
  const req = fisOf(fault).request(plan);
  return {
    kind: 'fis',
    roleArn: cfg.fisRoleArn ?? '',
    stopConditions,
    targets: req.targets,
    actions: req.actions,
    arns: req.arns,
    holdMs: req.holdMs,
    keepTemplate: cfg.keepTemplate,
    notes: req.notes,
  };
}

/** The plan's steps in FIS's terms (the local steps would name NACLs and calls FIS makes instead). */
export function fisSteps(plan: Plan, e: PlanEngine): string[] {
  const actions = Object.entries(e.actions).map(([name, a]) => {
    const params = Object.entries(a.parameters ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const target = Object.values(a.targets)[0] ?? '';
    return `${name}: ${a.actionId}${params ? ` (${params})` : ''} on ${target} = ${e.targets[target]?.resourceArns.join(', ') ?? ''}`;
  });
  return [
    `create an AWS FIS experiment template tagged ${TAG_EXPERIMENT}=${plan.experimentId}, role ${e.roleArn}, stop conditions ${e.stopConditions.length ? e.stopConditions.join(', ') : 'none'}`,
    ...actions.map((a) => `  ${a}`),
    ...e.notes,
    `start the experiment (clientToken from the experiment id, journaled first); t0 = the injecting action's startTime from GetExperiment`,
    `check that FIS resolved exactly the plan's ${e.arns.length} resource(s) (ListExperimentResolvedTargets), else stop it`,
    e.holdMs > 0
      ? `FIS holds the fault ${e.holdMs / 1000}s and reverts it itself; chaos-ec2 stops the experiment early on Ctrl-C, its stop condition or an error, then verifies`
      : 'nothing to revert: Auto Scaling replaces the instances',
    e.keepTemplate ? 'keep the template afterwards (--keep-template)' : 'delete the template at the end',
  ];
}
