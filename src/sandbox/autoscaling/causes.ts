/**
 * The Cause strings Auto Scaling writes into scaling activities, worded as AWS words them (see
 * AWS-BEHAVIOUR.md), so tools that parse DescribeScalingActivities see what they would see on AWS.
 */

/** AWS prints activity times without milliseconds: 2024-05-01T12:00:00Z. */
export function awsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const causes = {
  ec2HealthTerminate: (at: number) => `At ${awsTime(at)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`,
  elbHealthTerminate: (at: number) => `At ${awsTime(at)} an instance was taken out of service in response to an ELB system health check failure.`,
  replacementLaunch: (at: number) => `At ${awsTime(at)} an instance was launched in response to an unhealthy instance needing to be replaced.`,
  capacityIncrease: (at: number, from: number, to: number) =>
    `At ${awsTime(at)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
  capacityDecrease: (at: number, from: number, to: number) =>
    `At ${awsTime(at)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.`,
  userTerminate: (at: number, instanceId: string, shrink?: { from: number; to: number }) =>
    `At ${awsTime(at)} instance ${instanceId} was taken out of service in response to a user request` + (shrink ? `, shrinking the capacity from ${shrink.from} to ${shrink.to}.` : '.'),
};

/** What EC2 says when a launch fails for lack of capacity (the replacementLaunchFails knob). */
export function insufficientCapacity(instanceType: string, zone: string): string {
  return (
    `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${zone}). ` +
    `Our system will be working on provisioning additional capacity. Launching EC2 instance failed.`
  );
}

/**
 * Causes for the shapes modelled in autoscaling/instance-refresh.ts and scheduled-actions.ts, as activity
 * histories show them (terminate and launch for a refresh; the user-request sentences in autoscaling/desired.ts).
 * A desired change is the first sentence of the Cause of every launch or termination it brings about,
 * followed by that activity's own sentence (two spaces between). The scheduled-action sentence follows the
 * user-request one ("a user request update of AutoScalingGroup constraints to …"), worded for its source.
 */
export const groupCauses = {
  refreshTerminate: (at: number, instanceId: string) =>
    `At ${awsTime(at)} an instance was taken out of service in response to an instance refresh.  At ${awsTime(at)} instance ${instanceId} was selected for termination.`,
  refreshLaunch: (at: number) => `At ${awsTime(at)} an instance was launched in response to an instance refresh.`,
  scheduledAction: (at: number, sizes: { min: number; max: number; desired: number }, from: number) =>
    `At ${awsTime(at)} a scheduled action update of AutoScalingGroup constraints to min: ${sizes.min}, max: ${sizes.max}, desired: ${sizes.desired} changing the desired capacity from ${from} to ${sizes.desired}.`,
};
