/**
 * Warm pools (Auto Scaling API reference: PutWarmPool, DescribeWarmPool, DeleteWarmPool). The pool's
 * configuration and instances live on the group; filling it and drawing on it is autoscaling/warm-pool.ts's
 * job, reached through ctx.autoscaling.actions.warmPools.
 */
import type { WarmInstance, WarmPool } from '../world/types.js';
import { intOrUndefined, maxRecords, requireGroup } from './autoscaling-common.js';
import { warmInstanceXml, warmPoolConfigurationXml } from './autoscaling-render.js';
import { validationError } from './errors.js';
import { paginate } from './query.js';
import type { Handler } from './router.js';
import { list } from './xml.js';

const POOL_STATES: WarmPool['poolState'][] = ['Stopped', 'Running', 'Hibernated'];

/** PutWarmPool creates or updates the pool; parameters left out keep their values (PoolState: Stopped by default). */
const put: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  // "This operation cannot be called on an Auto Scaling group that has a mixed instances policy or a launch
  // template or launch configuration that requests Spot Instances." (PutWarmPool API reference)
  if (g.launchTemplate && ctx.world.launchTemplates.get(g.launchTemplate.launchTemplateId)?.marketType === 'spot') {
    throw validationError('You cannot add a warm pool to an Auto Scaling group that requests Spot Instances.');
  }
  const existing = g.warmPool;
  const maxPrepared = intOrUndefined(p, 'MaxGroupPreparedCapacity', -1) ?? existing?.maxGroupPreparedCapacity;
  const minSize = intOrUndefined(p, 'MinSize', 0) ?? existing?.minSize ?? 0;
  const state = p.str('PoolState') || existing?.poolState || 'Stopped';
  if (!POOL_STATES.includes(state as WarmPool['poolState'])) throw validationError(`Valid values for PoolState are ${POOL_STATES.join(', ')}; received ${state}.`);
  const reuse = p.struct('InstanceReusePolicy')?.bool('ReuseOnScaleIn');
  const reusePolicy = reuse !== undefined ? { reuseOnScaleIn: reuse } : existing?.instanceReusePolicy;
  g.warmPool = {
    ...(maxPrepared !== undefined ? { maxGroupPreparedCapacity: maxPrepared } : {}),
    minSize,
    poolState: state as WarmPool['poolState'],
    ...(reusePolicy ? { instanceReusePolicy: reusePolicy } : {}),
    instances: existing?.instances ?? new Map<string, WarmInstance>(),
  };
  ctx.autoscaling.actions.warmPools.changed(g);
  return '';
};

/** DescribeWarmPool: the configuration and the pool's instances (MaxRecords ≤ 50); nothing when there is no pool. */
const describe: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  const pageSize = maxRecords(p, 50, 50);
  if (!g.warmPool) return list('Instances', [], warmInstanceXml, 'member');
  const instances = [...g.warmPool.instances.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const { page, next } = paginate(instances, p.str('NextToken'), pageSize, (w) => [w.instanceId]);
  return warmPoolConfigurationXml(g.warmPool) + list('Instances', page, warmInstanceXml, 'member') + (next ? `<NextToken>${next}</NextToken>` : '');
};

const remove: Handler = (p, ctx) => {
  const g = requireGroup(ctx, p.required('AutoScalingGroupName'));
  if (!g.warmPool) throw validationError(`No warm pool found for Auto Scaling group ${g.name}.`);
  ctx.autoscaling.actions.warmPools.remove(g, p.bool('ForceDelete') ?? false);
  return '';
};

export const WARM_POOL_HANDLERS: Record<string, Handler> = {
  PutWarmPool: put,
  DescribeWarmPool: describe,
  DeleteWarmPool: remove,
};
