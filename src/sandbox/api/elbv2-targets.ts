/**
 * ELBv2 targets: RegisterTargets, DeregisterTargets, DescribeTargetHealth. Registration puts a target in
 * `initial`; from there the data plane's health checker drives its state. Deregistration starts draining
 * (elbv2-draining.ts); the health checker removes the target when the delay is over.
 */
import type { ApiContext } from '../context.js';
import type { TargetGroup, TargetRegistration } from '../world/types.js';
import { TARGET_HEALTH_DESCRIPTION } from '../world/types.js';
import { ApiError, missingParameter } from './errors.js';
import type { Params } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';
import { requireTg } from './elbv2-common.js';
import { beginDeregistration } from './elbv2-draining.js';
import { targetHealthXml } from './elbv2-render.js';

interface TargetParam {
  id: string;
  port?: number;
}

function targetsParam(p: Params, required: boolean): TargetParam[] {
  const targets = p.structs('Targets.member').map((t) => {
    const port = t.int('Port', { min: 1, max: 65535 });
    return { id: t.required('Id'), ...(port !== undefined ? { port } : {}) };
  });
  if (required && !targets.length) throw missingParameter('Targets');
  return targets;
}

/** Instances that do not exist, or are not in the group's VPC, cannot be targets (RegisterTargets). */
function checkInstances(ctx: ApiContext, tg: TargetGroup, targets: TargetParam[], forRegistration: boolean): void {
  const missing = targets.filter((t) => !ctx.world.instances.has(t.id)).map((t) => `'${t.id}'`);
  if (missing.length) throw new ApiError('InvalidTarget', `The following targets are not valid instances: ${missing.join(', ')}`);
  if (!forRegistration) return;
  // EC2 lets pending instances register (Auto Scaling registers before InService); stopped or
  // terminated ones cannot.
  const notRunning = targets.filter((t) => !['pending', 'running'].includes(ctx.world.instances.get(t.id)!.state)).map((t) => `'${t.id}'`);
  if (notRunning.length) {
    throw new ApiError('InvalidTarget', `The following targets are not in a running state and cannot be registered: ${notRunning.join(', ')}`);
  }
  const otherVpc = targets.filter((t) => ctx.world.instances.get(t.id)!.vpcId !== tg.vpcId).map((t) => `'${t.id}'`);
  if (otherVpc.length) {
    throw new ApiError('InvalidTarget', `The following targets are not in the target group VPC '${tg.vpcId}': ${otherVpc.join(', ')}`);
  }
}

const register: Handler = (p, ctx) => {
  const tg = requireTg(ctx, p.required('TargetGroupArn'));
  const targets = targetsParam(p, true);
  checkInstances(ctx, tg, targets, true);
  for (const t of targets) {
    const inst = ctx.world.instances.get(t.id)!;
    ctx.world.registerTarget(tg.targetGroupArn, t.id, t.port ?? tg.port, inst.availabilityZone);
  }
  return '';
};

const deregister: Handler = (p, ctx) => {
  const tg = requireTg(ctx, p.required('TargetGroupArn'));
  const targets = targetsParam(p, true);
  const regs = ctx.world.targets.get(tg.targetGroupArn);
  const unknown = targets.filter((t) => !regs?.has(t.id) && !ctx.world.instances.has(t.id)).map((t) => `'${t.id}'`);
  if (unknown.length) throw new ApiError('InvalidTarget', `The following targets are not registered in target group '${tg.targetGroupArn}': ${unknown.join(', ')}`);
  // Deregistering a known instance that is not registered is a no-op, as in AWS.
  for (const t of targets) {
    const reg = regs?.get(t.id);
    if (reg) beginDeregistration(ctx, reg);
  }
  return '';
};

const describeHealth: Handler = (p, ctx) => {
  const tg = requireTg(ctx, p.required('TargetGroupArn'));
  const requested = targetsParam(p, false);
  const regs = ctx.world.targets.get(tg.targetGroupArn) ?? new Map<string, TargetRegistration>();
  if (!requested.length) {
    return list('TargetHealthDescriptions', [...regs.values()], (r) => targetHealthXml(tg, r), 'member');
  }
  checkInstances(
    ctx,
    tg,
    requested.filter((t) => !regs.has(t.id)),
    false,
  );
  const rows = requested.map(
    (t) =>
      regs.get(t.id) ?? {
        // Asked about explicitly but not registered: AWS answers unused / Target.NotRegistered.
        targetId: t.id,
        port: t.port ?? tg.port,
        state: 'unused' as const,
        reason: 'Target.NotRegistered' as const,
        description: TARGET_HEALTH_DESCRIPTION['Target.NotRegistered'],
      },
  );
  return list('TargetHealthDescriptions', rows, (r) => targetHealthXml(tg, r), 'member');
};

export const TARGET_HANDLERS: Record<string, Handler> = {
  RegisterTargets: register,
  DeregisterTargets: deregister,
  DescribeTargetHealth: describeHealth,
};
