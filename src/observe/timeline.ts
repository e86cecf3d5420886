/**
 * The timeline event: one thing that happened during an experiment, stamped with epoch ms. Engines (the
 * capacity watcher, the runner, the probe's renderers) produce these; recovery.ts and the report read them.
 * The capacity watcher's CapacityEvent is a structural subset, so its events can be appended as they are.
 * Reports convert `atMs` to "ms since t0" at the edge; inside the engines time stays absolute so events
 * from different sources can be merged and sorted without knowing t0.
 */

/** What the capacity watcher sees (see capacity-watch.ts). */
export type CapacityEventKind =
  'instance-lost' | 'replacement-launched' | 'instance-inservice' | 'target-state' | 'target-healthy' | 'capacity-lost' | 'capacity-restored' | 'fail-open' | 'fail-open-ended';

export type TimelineEventKind =
  // The experiment's own steps.
  | 'steady-state-ok'
  | 'fault-injected'
  | 'rollback-started'
  | 'rollback-done'
  | 'rollback-failed'
  | CapacityEventKind
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
}

/** Events sorted by time; Array#sort is stable, so same-millisecond events keep their observed order. */
export function sortTimeline<T extends { atMs: number }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.atMs - b.atMs);
}
