/**
 * The timeline event: one thing that happened during an experiment, stamped with epoch ms. Engines (the
 * capacity watcher, the runner, the probe's renderers) produce these; recovery.ts and the report read them.
 * The capacity watcher's CapacityEvent is a structural subset, so its events can be appended as they are.
 * Reports convert `atMs` to "ms since t0" at the edge; inside the engines time stays absolute so events
 * from different sources can be merged and sorted without knowing t0.
 */

/** What the capacity watcher sees (see capacity-watch.ts). */
export type CapacityEventKind =
  | 'instance-lost'
  | 'replacement-launched'
  | 'instance-inservice'
  | 'target-state'
  | 'target-healthy'
  | 'capacity-lost'
  | 'capacity-restored'
  | 'fail-open'
  | 'fail-open-ended'
  // Desired capacity changed between two polls (a scheduled action, target tracking, an operator): from → to.
  | 'desired-changed'
  // A member's (or a warmed instance's) lifecycle state changed: from → to (Pending:Wait, InService, Warmed:* …).
  | 'lifecycle';

/** What the run learns about causes: Auto Scaling's own account of an activity, and a loss it did not cause. */
export type CauseEventKind = 'scaling-activity' | 'contaminated';

export type TimelineEventKind =
  // The experiment's own steps.
  | 'steady-state-ok'
  | 'fault-injected'
  | 'rollback-started'
  | 'rollback-done'
  | 'rollback-failed'
  | CapacityEventKind
  | CauseEventKind
  | 'recovery-timeout'
  // What the load probe and recovery.ts conclude.
  | 'first-failure'
  | 'service-recovered';

export interface TimelineEvent {
  /** Epoch ms. */
  atMs: number;
  event: TimelineEventKind;
  instanceId?: string;
  availabilityZone?: string;
  targetGroupArn?: string;
  /** One human-readable line, e.g. `healthy → unhealthy` or `InService 3/4, healthy 3/4`. */
  detail?: string;
  /** desired-changed (numbers, units) and lifecycle (states): what it was and what it became. */
  from?: number | string;
  to?: number | string;
}

/** Events sorted by time; Array#sort is stable, so same-millisecond events keep their observed order. */
export function sortTimeline<T extends { atMs: number }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.atMs - b.atMs);
}
