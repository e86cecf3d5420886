/**
 * What every part of the sandbox shares: the world, its timings and knobs, the timers, and the engines the
 * API layer calls into. Built once in server.ts.
 */
import type { Rng } from '../core/random.js';
import type { Knobs } from './knobs.js';
import type { Lifecycle } from './lifecycle.js';
import type { Timings } from './profiles.js';
import type { StackInfo } from './stack-info.js';
import type { Timers } from './timers.js';
import type { Listener, ScalingActivity } from './world/types.js';
import type { World } from './world/world.js';

/** The data plane as the API sees it: listeners are real proxies on loopback ports. */
export interface DataPlaneApi {
  /** Starts the listener's proxy on every node address, on one free port, and returns it (the listener's Port). */
  openListener(listener: Listener): Promise<number>;
  closeListener(listenerArn: string): Promise<void>;
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
}

export interface ApiContext extends SandboxContext {
  requestId: string;
}
