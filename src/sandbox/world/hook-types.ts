/**
 * State records for lifecycle hooks and warm pools, kept on their Auto Scaling group (AutoScalingGroup's
 * `lifecycleHooks` and `warmPool`), so deleting the group drops them and the /_sandbox/state dump shows them.
 * Field names follow the Auto Scaling API shapes LifecycleHook and WarmPoolConfiguration (camelCased).
 */

export type LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCHING' | 'autoscaling:EC2_INSTANCE_TERMINATING';

export interface LifecycleHook {
  lifecycleHookName: string;
  autoScalingGroupName: string;
  lifecycleTransition: LifecycleTransition;
  notificationTargetARN?: string;
  roleARN?: string;
  notificationMetadata?: string;
  /** Seconds, 30–7200; 3600 when not given (PutLifecycleHook API reference). */
  heartbeatTimeout: number;
  /** Seconds an instance may stay in the wait state in all: min(172800, 100 × heartbeatTimeout) (LifecycleHook API reference). */
  globalTimeout: number;
  /** Applied when the heartbeat or global timeout elapses; ABANDON when not given. */
  defaultResult: 'CONTINUE' | 'ABANDON';
}

/**
 * The lifecycle states of a warm pool's instances ("Use lifecycle hooks with a warm pool", Auto Scaling user
 * guide, warm-pool-instance-lifecycle). The sandbox moves instances through Warmed:Pending, then
 * Warmed:Stopped / Warmed:Running / Warmed:Hibernated (the pool state), and Warmed:Terminating / Terminated.
 */
export type WarmedState =
  'Warmed:Pending' | 'Warmed:Pending:Wait' | 'Warmed:Pending:Proceed' | 'Warmed:Stopped' | 'Warmed:Running' | 'Warmed:Hibernated' | 'Warmed:Terminating' | 'Warmed:Terminated';

/** A warmed instance: a real EC2 instance of the group (tagged, in its subnets) that is not a member yet. */
export interface WarmInstance {
  instanceId: string;
  asgName: string;
  subnetId: string;
  availabilityZone: string;
  instanceType: string;
  lifecycleState: WarmedState;
  healthStatus: 'Healthy' | 'Unhealthy';
  launchTemplate?: { launchTemplateId: string; launchTemplateName: string; version: string };
}

export interface WarmPool {
  /** -1 (or absent) = the group's MaxSize (PutWarmPool API reference). */
  maxGroupPreparedCapacity?: number;
  minSize: number;
  poolState: 'Stopped' | 'Running' | 'Hibernated';
  /** DeleteWarmPool marks the pool PendingDelete until its instances are gone. */
  status?: 'PendingDelete';
  instanceReusePolicy?: { reuseOnScaleIn: boolean };
  /** The pool's instances by id, in launch order. */
  instances: Map<string, WarmInstance>;
}
