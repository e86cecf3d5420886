/**
 * Lifecycle hooks and warm pools as the API handlers see them (the engines are autoscaling/hooks.ts and
 * autoscaling/warm-pool.ts, owned by AsgActions). Kept apart from both so context.ts can name them without an
 * import circle.
 */
import type { AutoScalingGroup } from '../world/types.js';

/** Which pending lifecycle action a call means: CompleteLifecycleAction takes an instance id or a token. */
export interface LifecycleActionRef {
  instanceId?: string;
  token?: string;
}

/** A lifecycle action in progress: what AWS would send the hook's notification target (token included). */
export interface PendingLifecycleAction {
  asgName: string;
  instanceId: string;
  lifecycleHookName: string;
  lifecycleTransition: string;
  lifecycleActionToken: string;
  /** When the default result applies unless a heartbeat or completion comes first (ISO-8601). */
  timesOutAt: string;
}

export interface HooksApi {
  /** Every lifecycle action waiting now (the /_sandbox/state dump shows them). */
  pending(): PendingLifecycleAction[];
  /** CompleteLifecycleAction: ends the hook's wait with `result`; throws AWS's ValidationError when none is pending. */
  complete(asg: AutoScalingGroup, hookName: string, result: 'CONTINUE' | 'ABANDON', ref: LifecycleActionRef): void;
  /** RecordLifecycleActionHeartbeat: restarts the heartbeat timer (never past the global timeout). */
  heartbeat(asg: AutoScalingGroup, hookName: string, ref: LifecycleActionRef): void;
}

export interface WarmPoolApi {
  /** After PutWarmPool changed `asg.warmPool`: fill the pool to its size. */
  changed(asg: AutoScalingGroup): void;
  /** DeleteWarmPool / a force-deleted group: terminate the pool's instances and drop the pool. */
  remove(asg: AutoScalingGroup, force: boolean): void;
}

export interface AsgLifecycleApi {
  readonly hooks: HooksApi;
  readonly warmPools: WarmPoolApi;
}
