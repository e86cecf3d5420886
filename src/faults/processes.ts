/**
 * The Auto Scaling processes a fault's recovery depends on. Each fault module declares its own
 * (`Fault.processes`); preflight refuses a run while one it needs is suspended and warns on the ones it lists
 * as `warns`. AWS suspends processes itself too (an "administrative suspension" after launches keep failing),
 * so a group nobody touched can still be unable to recover.
 *
 * Why these ("Suspend and resume processes" and "Understand how suspending processes affects other
 * processes", Amazon EC2 Auto Scaling user guide):
 * - Launch: no replacement can start.
 * - Terminate: a member marked unhealthy is never terminated, so it is never replaced either.
 * - HealthCheck: Auto Scaling stops marking instances unhealthy from EC2 and ELB health checks, so even a
 *   terminated or stopped victim is never noticed, and never replaced.
 * - ReplaceUnhealthy: members marked unhealthy are left in place.
 * - AddToLoadBalancer: a replacement goes InService but is never registered with the target groups, so the
 *   load balancer never sees capacity come back.
 * - AZRebalance (warning only): with it suspended the group does not even out its AZs after an AZ comes back,
 *   so replacements launched elsewhere during an AZ outage stay there; recovery still happens.
 */
export interface FaultProcesses {
  /** Suspended → the run is refused (the group cannot recover). */
  needs: readonly string[];
  /** Suspended → a warning in the plan. */
  warns: readonly string[];
  /**
   * Whether EC2 status checks see the damage (the instance leaves `running`), so a group with HealthCheckType
   * EC2 still replaces it. False for a fault that leaves instances running but unreachable: only the load
   * balancer sees it, and such a group never replaces them (preflight warns, and labels the report).
   */
  ec2HealthChecksSee: boolean;
}

/** What every fault needs: the group must be able to notice, replace and register a lost member. */
export const REPLACEMENT_PROCESSES: FaultProcesses = {
  needs: ['Launch', 'Terminate', 'HealthCheck', 'ReplaceUnhealthy', 'AddToLoadBalancer'],
  warns: ['AZRebalance'],
  ec2HealthChecksSee: true,
};
