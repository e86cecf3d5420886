/**
 * The desired-changed ground-truth event: every change of a group's desired capacity (a scheduled action, a
 * SetDesiredCapacity or UpdateAutoScalingGroup call) is recorded with the sentence AWS starts the Cause of
 * the resulting scaling activities with, so tests can compare a tool's `desired-changed` with what happened.
 */
import type { AutoScalingGroup } from '../world/types.js';
import type { World } from '../world/world.js';
import { awsTime } from './causes.js';

export function recordDesiredChange(world: World, asg: AutoScalingGroup, from: number, cause: string): void {
  if (asg.desiredCapacity === from) return;
  world.emit({ type: 'desired-changed', asgName: asg.name, from, to: asg.desiredCapacity, cause });
}

/** The user-request wordings of the activity history (SetDesiredCapacity; UpdateAutoScalingGroup). */
export const userDesiredCause = {
  set: (at: number, from: number, to: number) => `At ${awsTime(at)} a user request explicitly set group desired capacity changing the desired capacity from ${from} to ${to}.`,
  update: (at: number, g: Pick<AutoScalingGroup, 'minSize' | 'maxSize' | 'desiredCapacity'>, from: number) =>
    `At ${awsTime(at)} a user request update of AutoScalingGroup constraints to min: ${g.minSize}, max: ${g.maxSize}, desired: ${g.desiredCapacity} changing the desired capacity from ${from} to ${g.desiredCapacity}.`,
};
