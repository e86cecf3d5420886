/**
 * MixedInstancesPolicy and DesiredCapacityType on CreateAutoScalingGroup / UpdateAutoScalingGroup: reading,
 * validating and rendering them (Auto Scaling API reference: MixedInstancesPolicy, LaunchTemplate,
 * LaunchTemplateOverrides, InstancesDistribution; "Configure an Auto Scaling group to use instance weights",
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-weighting.html). How the weights are
 * used lives in autoscaling/capacity-units.ts.
 */
import type { ApiContext } from '../context.js';
import type { AutoScalingGroup, MixedInstancesPolicy } from '../world/types.js';
import { validationError } from './errors.js';
import type { Params } from './query.js';
import { el, esc, list, node } from './xml.js';

const DISTRIBUTION_MEMBERS = ['OnDemandAllocationStrategy', 'OnDemandBaseCapacity', 'OnDemandPercentageAboveBaseCapacity', 'SpotAllocationStrategy', 'SpotInstancePools', 'SpotMaxPrice'];

const CAPACITY_TYPES = ['units', 'vcpu', 'memory-mib'] as const;

/** DesiredCapacityType: units (AWS's default), vcpu or memory-mib; undefined when not sent. */
export function readDesiredCapacityType(p: Params): AutoScalingGroup['desiredCapacityType'] {
  const v = p.str('DesiredCapacityType');
  if (v === undefined || v === '') return undefined;
  if (!(CAPACITY_TYPES as readonly string[]).includes(v)) {
    throw validationError(`Value ${v} for parameter DesiredCapacityType is invalid. Valid values are: ${CAPACITY_TYPES.join(', ')}.`);
  }
  return v as AutoScalingGroup['desiredCapacityType'];
}

type TemplateResolver = (spec: Params | undefined) => MixedInstancesPolicy['launchTemplate'] & { imageId: string; instanceType: string };

/**
 * MixedInstancesPolicy from the request, or undefined when absent. `resolve` finds the launch template the
 * way LaunchTemplate does (the caller's resolver, so the errors are the same).
 */
export function readMixedInstancesPolicy(p: Params, resolve: TemplateResolver): (MixedInstancesPolicy & { imageId: string; instanceType: string }) | undefined {
  const mip = p.struct('MixedInstancesPolicy');
  if (!mip) return undefined;
  const lt = mip.struct('LaunchTemplate');
  if (!lt?.struct('LaunchTemplateSpecification')) throw validationError('A launch template must be specified in MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.');
  const template = resolve(lt.struct('LaunchTemplateSpecification'));
  const overrides = lt.structs('Overrides.member').map((o) => {
    const instanceType = o.str('InstanceType');
    if (!instanceType) throw validationError('Each launch template override must specify an InstanceType (InstanceRequirements are not supported by the sandbox).');
    const raw = o.str('WeightedCapacity');
    if (raw === undefined || raw === '') return { instanceType };
    const weight = Number(raw);
    if (!/^\d+$/.test(raw) || weight < 1 || weight > 999)
      throw validationError(`The WeightedCapacity ${raw} for instance type ${instanceType} is invalid. It must be an integer between 1 and 999.`);
    return { instanceType, weightedCapacity: weight };
  });
  const weighted = overrides.filter((o) => o.weightedCapacity !== undefined).length;
  // "If you specify a value for WeightedCapacity for one instance type, you must specify a value for
  // WeightedCapacity for all of them." (LaunchTemplateOverrides, API reference)
  if (weighted && weighted < overrides.length) throw validationError('If you specify a WeightedCapacity for one instance type, you must specify a WeightedCapacity for all of them.');
  if (new Set(overrides.map((o) => o.instanceType)).size < overrides.length) throw validationError('Duplicate instance types are not allowed in the launch template overrides.');
  const distribution = new Map<string, string>();
  const dist = mip.struct('InstancesDistribution');
  for (const k of DISTRIBUTION_MEMBERS) {
    const v = dist?.str(k);
    if (v !== undefined && v !== '') distribution.set(k, v);
  }
  const { imageId, instanceType, ...launchTemplate } = template;
  return { launchTemplate, overrides, instancesDistribution: distribution, imageId, instanceType: overrides[0]?.instanceType ?? instanceType };
}

/** The policy in DescribeAutoScalingGroups' shape; WeightedCapacity is a string there, as AWS returns it. */
export function mixedInstancesPolicyXml(policy: MixedInstancesPolicy | undefined): string {
  if (!policy) return '';
  const lt = policy.launchTemplate;
  const spec = node('LaunchTemplateSpecification', el('LaunchTemplateId', lt.launchTemplateId), el('LaunchTemplateName', lt.launchTemplateName), el('Version', lt.version));
  const overrides = list('Overrides', policy.overrides, (o) => el('InstanceType', o.instanceType) + el('WeightedCapacity', o.weightedCapacity?.toString()), 'member');
  const dist = [...policy.instancesDistribution].map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
  return node('MixedInstancesPolicy', node('LaunchTemplate', spec, overrides), dist ? node('InstancesDistribution', dist) : '');
}

/** When weights change, members of a type still listed take its new weight; others keep their last one. */
export function reweighMembers(ctx: ApiContext, g: AutoScalingGroup): void {
  for (const m of ctx.world.membersOf(g.name)) {
    const o = g.mixedInstancesPolicy?.overrides.find((x) => x.instanceType === m.instanceType);
    if (o?.weightedCapacity !== undefined) m.weightedCapacity = o.weightedCapacity;
  }
}
