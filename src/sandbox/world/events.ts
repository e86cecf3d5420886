/**
 * Ground-truth events: what really happened inside the sandbox, served at GET /_sandbox/events.
 * chaos-ec2's own measurements are checked against these in tests, so every state change that the CLI
 * could observe is recorded here, with the wall-clock time it happened.
 */
import type { ClassicInstanceStateName } from './classic-types.js';
import type { AlarmStateValue, InstanceStateName, LifecycleState, TargetHealthReason, TargetHealthState } from './types.js';

interface Base {
  /** ISO-8601 time of the change. */
  at: string;
  /** The same instant in ms since the epoch (for arithmetic in tests). */
  atMs: number;
  /** Monotonic sequence number, so equal timestamps still order. */
  seq: number;
}

export type SandboxEventBody =
  | {
      type: 'instance-state';
      instanceId: string;
      from: InstanceStateName | null;
      to: InstanceStateName;
      availabilityZone: string;
      subnetId: string;
      asgName?: string;
      reason?: string;
    }
  | {
      type: 'asg-lifecycle';
      asgName: string;
      instanceId: string;
      from: LifecycleState | null;
      to: LifecycleState;
      availabilityZone: string;
    }
  | { type: 'asg-health'; asgName: string; instanceId: string; healthStatus: 'Healthy' | 'Unhealthy'; reason: string }
  | {
      type: 'activity';
      asgName: string;
      activityId: string;
      statusCode: string;
      description: string;
      cause: string;
    }
  | {
      type: 'target-health';
      targetGroupArn: string;
      targetId: string;
      /** null when the target was just registered. */
      from: TargetHealthState | null;
      /** null when the target left the group (deregistration finished). */
      to: TargetHealthState | null;
      reason?: TargetHealthReason;
    }
  | {
      type: 'nacl-association';
      subnetId: string;
      associationId: string;
      fromNetworkAclId: string | null;
      toNetworkAclId: string;
    }
  | { type: 'nacl-created' | 'nacl-deleted'; networkAclId: string; vpcId: string }
  | { type: 'nacl-entry'; networkAclId: string; change: 'created' | 'deleted' | 'replaced'; ruleNumber: number; egress: boolean }
  | {
      /**
       * The load balancer's routing outcome. Emitted when the set of targets it routes to changes
       * (routable ids, fail-open) and for every request it could not serve from a healthy target
       * (status 5xx, the target it tried), so a client's error window can be checked against it.
       */
      type: 'lb-routing';
      loadBalancerArn: string;
      change: 'targets' | 'error';
      routable?: string[];
      failOpen?: boolean;
      status?: number;
      targetId?: string;
      detail?: string;
    }
  | { type: 'lb-second'; loadBalancerArn: string; second: string; requests: number; byStatus: Record<string, number> }
  /**
   * A Network Load Balancer's DNS answer changed: the node addresses its name resolves to now (a zone with
   * no healthy target leaves DNS while cross-zone load balancing is off; all come back when it fails open).
   */
  | { type: 'lb-dns'; loadBalancerArn: string; addresses: string[]; zones: string[]; failOpen: boolean }
  | {
      /**
       * The instance's HTTP server (data plane) started answering on `port`, or closed: what a client or a
       * health check can reach, as opposed to the EC2 state. A stopped-then-started instance comes back on
       * a new port.
       */
      type: 'instance-server';
      instanceId: string;
      change: 'listening' | 'closed';
      port?: number;
    }
  | { type: 'knob'; name: string; value: unknown }
  /**
   * An AWS FIS experiment changed state (fis/engine.ts). The first one (pending) also says which actionsMode
   * StartExperiment carried on the wire (`actionsModeOnWire`, null when the request had none), so a test can
   * prove a client sent skip-all.
   */
  | { type: 'fis-experiment'; experimentId: string; experimentTemplateId: string; status: string; reason: string; actionsMode: 'run-all' | 'skip-all'; actionsModeOnWire?: string | null }
  | { type: 'fis-action'; experimentId: string; action: string; actionId: string; status: string; reason: string }
  /**
   * The stallActions knob holds a call open: `call` is its number among the calls of `action` since the
   * rule list was set (the first held one is after + 1), `held` how many calls of the action are held now,
   * `applied` whether the action already took effect (the answer alone is held).
   */
  | { type: 'api-stalled'; action: string; call: number; held: number; applied: boolean }
  /** Held calls of `action` let go: they complete normally (knob cleared) or are answered 503 (closed). */
  | { type: 'api-released'; action: string; released: number; reason: 'knob-cleared' | 'closed' }
  | {
      /** A Classic Load Balancer's view of a registered instance changed (DescribeInstanceHealth). */
      type: 'classic-instance-health';
      loadBalancerName: string;
      instanceId: string;
      /** null when the instance was just registered. */
      from: ClassicInstanceStateName | null;
      /** null when it was deregistered. */
      to: ClassicInstanceStateName | null;
      description?: string;
    }
  | { type: 'network-interface'; change: 'created' | 'deleted'; networkInterfaceId: string; subnetId: string; owner: string }
  /** A group's desired capacity changed (a scheduled action ran); `cause` as its scaling activities word it. */
  | { type: 'desired-changed'; asgName: string; from: number; to: number; cause: string }
  /** A CloudWatch alarm changed state: by its evaluation (`evaluation`) or SetAlarmState (`set`); the first is `from: null` on creation. */
  | { type: 'alarm-state'; alarmName: string; alarmArn: string; from: AlarmStateValue | null; to: AlarmStateValue; reason: string; cause: 'created' | 'evaluation' | 'set' };

export type SandboxEvent = Base & SandboxEventBody;
export type SandboxEventType = SandboxEvent['type'];
