/**
 * The capacity watcher's data: one poll's reading of the group (CapacitySnapshot) and the events two readings
 * explain (CapacityEvent). Shared by the watcher (capacity-watch.ts) and the pure diff (capacity-diff.ts).
 */
import type { GroupInstance } from '../aws/autoscaling.js';
import { CLASSIC_HEALTHY } from '../aws/elb-classic.js';
import type { CapacityEventKind, TimelineEvent } from './timeline.js';

export type { CapacityEventKind };

export interface CapacitySnapshot {
  /** Epoch ms when the poll completed. */
  atMs: number;
  /** In the group's units (DesiredCapacityType: units, vcpu or memory-mib). */
  desired: number;
  /** InService members (instances). */
  inService: number;
  /** Sum of the InService members' weights, in desired's units (equals inService when unweighted). */
  capacity: number;
  /** Units of the InService members that are healthy in every one of the group's target groups. */
  healthy: number;
  healthyByAz: Record<string, number>;
  instances: Map<string, GroupInstance>;
  /**
   * targetGroupArn → instanceId → state; Classic Load Balancers too, under their ARN (`…:loadbalancer/<name>`)
   * with DescribeInstanceHealth's states (InService, OutOfService, Unknown).
   */
  targets: Map<string, Map<string, string>>;
  /** Target groups in which every registered, non-draining target is unhealthy (the ALB fails open). */
  failOpen: string[];
  /** The word for desired's units ('units', 'vCPUs', 'MiB') when the group is weighted; absent otherwise. */
  unit?: string;
  /** The group's SuspendedProcesses at this poll (what may block a recovery). */
  suspendedProcesses?: string[];
  /** Warm-pool groups only: the warmed instances (not members) by id, from DescribeWarmPool at this poll. */
  warm?: Map<string, { availabilityZone: string; lifecycleState: string }>;
}

/** A timeline event the watcher derives from two polls (timeline.ts), and whether a replacement came from the warm pool. */
export type CapacityEvent = Omit<TimelineEvent, 'event'> & { event: CapacityEventKind; fromWarmPool?: boolean };

/** Healthy in a target group (`healthy`) or, for a Classic Load Balancer, InService in DescribeInstanceHealth. */
export function isHealthyState(state: string | undefined): boolean {
  return state === 'healthy' || state === CLASSIC_HEALTHY;
}
