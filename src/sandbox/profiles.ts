/**
 * Timing profiles. `realistic` follows AWS defaults where AWS documents them and observed behaviour where it
 * does not (marked "undocumented"); `fast` keeps the same structure, scaled so that a whole
 * terminate-and-replace cycle takes a few seconds, for tests and demos. Every value can be overridden.
 */

export interface Timings {
  /** pending → running. */
  bootMs: number;
  /** running → the instance's HTTP server answers (application start). */
  appStartMs: number;
  /** shutting-down → terminated. */
  shutdownMs: number;
  /** stopping → stopped. */
  stopMs: number;
  /** How long a terminated instance stays visible in DescribeInstances (AWS: about an hour). */
  terminatedVisibleMs: number;
  /** Reconciler tick: how often Auto Scaling looks at its groups (undocumented; observed seconds). */
  asgTickMs: number;
  /** Delay before Auto Scaling acts on a failed EC2 health check (undocumented: seconds to ~1.5 min). */
  asgDetectMs: number;
  /** Launch activity: WaitingForInstanceId → instance pending. */
  launchLatencyMs: number;
  /** Default health-check settings for target groups created without explicit values. */
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** Default deregistration_delay.timeout_seconds. */
  deregistrationDelaySeconds: number;
  /** How long the load balancer waits to connect to a target before answering 504 (ALB: 10 s). */
  lbConnectTimeoutMs: number;
  /** ALB idle timeout (60 s default): a request that never gets an answer is closed after this. */
  lbIdleTimeoutMs: number;
  /** Default HealthCheckGracePeriod of groups created by the sample stack. */
  gracePeriodSeconds: number;
  /**
   * How long one second of a lifecycle hook's HeartbeatTimeout/GlobalTimeout lasts, in ms: 1000 (absent) in
   * both profiles, so hooks keep AWS's seconds as given. The API minimum heartbeat is 30 s; a test that waits
   * for a timeout overrides this (e.g. 10) instead of waiting 30 real seconds.
   */
  hookSecondMs?: number;
  /**
   * How often CloudWatch evaluates every metric alarm (and so how long a SetAlarmState lasts): AWS evaluates
   * a standard alarm once a minute ("Using Amazon CloudWatch alarms"); the fast profile a few times a second.
   */
  alarmEvaluationMs: number;
  /**
   * The period of the load balancer metrics the sandbox publishes from its data plane (AWS/ApplicationELB):
   * ELB "measures and sends its metrics in 60-second intervals" (ALB user guide, "CloudWatch metrics for your
   * Application Load Balancer"); the fast profile publishes per second.
   */
  lbMetricPeriodMs: number;
  /**
   * AWS FIS (fis/engine.ts). Experiment pending → initiating, initiating (role assumed, targets resolved) →
   * running, stopping → stopped, and how often a running experiment checks its stop conditions and actions.
   * FIS documents none of these; observed experiments take seconds to start and to stop.
   */
  fisPendingMs: number;
  fisInitiatingMs: number;
  fisStoppingMs: number;
  fisTickMs: number;
  /**
   * How long one second of an FIS action duration (disrupt-connectivity's `duration`, stop-instances'
   * `startInstancesAfterDuration`; the API minimum is PT1M) lasts, in ms: 1000 realistic; in the fast profile
   * PT1M lasts 3 s. Tests override it smaller.
   */
  fisSecondMs: number;
}

export type ProfileName = 'fast' | 'realistic';

export const PROFILES: Record<ProfileName, Timings> = {
  realistic: {
    bootMs: 30_000,
    appStartMs: 5_000,
    shutdownMs: 15_000,
    stopMs: 15_000,
    terminatedVisibleMs: 3_600_000,
    asgTickMs: 10_000,
    asgDetectMs: 30_000,
    launchLatencyMs: 2_000,
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    deregistrationDelaySeconds: 300,
    lbConnectTimeoutMs: 10_000,
    lbIdleTimeoutMs: 60_000,
    gracePeriodSeconds: 300,
    alarmEvaluationMs: 60_000,
    lbMetricPeriodMs: 60_000,
    fisPendingMs: 1_000,
    fisInitiatingMs: 4_000,
    fisStoppingMs: 3_000,
    fisTickMs: 1_000,
    fisSecondMs: 1_000,
  },
  fast: {
    bootMs: 800,
    appStartMs: 200,
    shutdownMs: 400,
    stopMs: 400,
    terminatedVisibleMs: 120_000,
    asgTickMs: 250,
    asgDetectMs: 500,
    launchLatencyMs: 100,
    // Health-check settings are whole seconds in the API; fractional values are allowed here for the
    // sandbox's own speed and shown rounded up where the API must return an integer.
    healthCheckIntervalSeconds: 0.5,
    healthCheckTimeoutSeconds: 0.3,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
    deregistrationDelaySeconds: 1,
    lbConnectTimeoutMs: 1_000,
    lbIdleTimeoutMs: 5_000,
    gracePeriodSeconds: 5,
    alarmEvaluationMs: 500,
    lbMetricPeriodMs: 1_000,
    fisPendingMs: 20,
    fisInitiatingMs: 30,
    fisStoppingMs: 30,
    fisTickMs: 20,
    fisSecondMs: 50,
  },
};

export function resolveTimings(profile: ProfileName = 'fast', overrides: Partial<Timings> = {}): Timings {
  return { ...PROFILES[profile], ...overrides };
}
