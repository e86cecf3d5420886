/**
 * What every part of the sandbox shares: the world, its timings and knobs, the timers, and the engines the
 * API layer calls into. Built once in server.ts.
 */
import type { Rng } from '../core/random.js';
import type { AsgLifecycleApi } from './autoscaling/lifecycle-api.js';
import type { CloudWatchStore } from './cloudwatch/store.js';
import type { Knobs } from './knobs.js';
import type { Lifecycle } from './lifecycle.js';
import type { FisStore } from './fis/store.js';
import type { S3Store } from './s3/store.js';
import type { Timings } from './profiles.js';
import type { StackInfo } from './stack-info.js';
import type { Timers } from './timers.js';
import type { ClassicListener } from './world/classic-types.js';
import type { Listener, ScalingActivity } from './world/types.js';
import type { World } from './world/world.js';

/** The data plane as the API sees it: listeners are real proxies on loopback ports. */
export interface DataPlaneApi {
  /** Starts the listener's proxy on every node address, on one free port, and returns it (the listener's Port). */
  openListener(listener: Listener): Promise<number>;
  closeListener(listenerArn: string): Promise<void>;
  /** Re-evaluates routing now (after a change no target-health event signals, e.g. an NLB's cross-zone attribute). */
  refreshRouting?(): void;
  /** Classic Load Balancers' listeners and health checks. */
  readonly classic: ClassicDataPlaneApi;
}

/** Classic Load Balancers' data plane as the Classic API sees it (dataplane/classic-plane.ts). */
export interface ClassicDataPlaneApi {
  /** Starts the listener's proxy on a free 127.0.0.1 port and returns it (it becomes LoadBalancerPort). */
  openListener(loadBalancerName: string, listener: ClassicListener): Promise<number>;
  /** Closes every listener of the load balancer. */
  closeAll(loadBalancerName: string): Promise<void>;
  /** Picks up a created load balancer or a changed health check at once. */
  sync(): void;
}

/** The Auto Scaling engine as the API sees it. */
export interface AutoScalingApi {
  /**
   * TerminateInstanceInAutoScalingGroup: deregisters, terminates, records the activity; without
   * decrement the reconciler launches a replacement.
   */
  terminateInGroup(instanceId: string, shouldDecrementDesiredCapacity: boolean): ScalingActivity;
  /** Ask for a reconcile pass soon (after desired capacity, processes or membership changed). */
  nudge(): void;
  /** Launch and terminate with their lifecycle hooks and warm pool (autoscaling/actions.ts). */
  readonly actions: AsgLifecycleApi;
}

export interface SandboxContext {
  world: World;
  timings: Timings;
  knobs: Knobs;
  timers: Timers;
  lifecycle: Lifecycle;
  dataplane: DataPlaneApi;
  autoscaling: AutoScalingApi;
  /** The sandbox's seeded randomness (SandboxOptions.seed): injected API errors draw from it. */
  rng: Rng;
  /** How to reach the demo stack (GET /_sandbox/stack), once the embedded sandbox has built it. */
  stackInfo?: StackInfo;
  /** The S3 buckets and objects (api/s3.ts serves them). */
  s3: S3Store;
  /** CloudWatch: metric alarms (evaluated on the timers), their history, and metric datapoints. */
  cloudwatch: CloudWatchStore;
  /** AWS FIS: experiment templates and experiments, run on the timers (api/fis.ts serves them). */
  fis: FisStore;
}

export interface ApiContext extends SandboxContext {
  requestId: string;
}
