/**
 * What Auto Scaling asks EC2 for when it launches an instance of a group, into the group itself or into its
 * warm pool: the group's image, type and launch template, in the given subnet, with the group's
 * PropagateAtLaunch tags (Lifecycle.launch adds aws:autoscaling:groupName).
 */
import type { LaunchRequest } from '../lifecycle.js';
import type { AutoScalingGroup } from '../world/types.js';

export function launchRequestFor(asg: AutoScalingGroup, subnetId: string): LaunchRequest {
  const tags: Record<string, string> = {};
  for (const [k, t] of asg.tags) if (t.propagateAtLaunch) tags[k] = t.value;
  return {
    subnetId,
    imageId: asg.imageId,
    instanceType: asg.instanceType,
    asgName: asg.name,
    ...(asg.launchTemplate ? { launchTemplate: asg.launchTemplate } : {}),
    tags,
  };
}
