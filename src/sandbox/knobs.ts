/**
 * Fault knobs: ways to make the sandbox misbehave on purpose, so chaos-ec2's own failure handling can be
 * tested (throttling, slow or failing APIs, replacements that never come back). Set through
 * POST /_sandbox/knobs or `chaos-ec2 sandbox` flags; all off by default.
 */
export interface Knobs {
  /** Throttle: at most this many API requests per second per service (token bucket); 0 = off. */
  apiRateLimit: number;
  /** Added latency on every API call, in ms. */
  apiLatencyMs: number;
  /** Probability (0–1) that an API call fails with a transient 5xx (InternalError / ServiceUnavailable). */
  apiErrorRate: number;
  /**
   * Actions that always fail with a 5xx while listed (e.g. ["ReplaceNetworkAclAssociation"]), to test
   * rollback failures. Matched against the query Action name.
   */
  failActions: string[];
  /** Extra boot time for instances launched by Auto Scaling from now on (ms). */
  replacementBootDelayMs: number;
  /** Launches by Auto Scaling fail (activity Failed, no instance), as with an exhausted capacity pool. */
  replacementLaunchFails: boolean;
  /** Instances launched by Auto Scaling from now on never pass health checks (their /health answers 500). */
  replacementUnhealthy: boolean;
}

export const DEFAULT_KNOBS: Knobs = {
  apiRateLimit: 0,
  apiLatencyMs: 0,
  apiErrorRate: 0,
  failActions: [],
  replacementBootDelayMs: 0,
  replacementLaunchFails: false,
  replacementUnhealthy: false,
};
