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
  /**
   * Calls that never get an answer: for each rule, the first `after` calls of `action` (counted from when
   * the list was last set) are answered normally, every later one is held open, and an `api-stalled` event
   * says so — so a test can wait until a process is blocked inside call N and kill it at exactly that point.
   * Held calls are released when their action leaves the list (they then complete normally) or answered
   * 503 when the sandbox closes. Change this list through POST /_sandbox/knobs (or setKnobs), which records
   * the change; assigning the field directly neither resets the counts' start nor releases anything.
   */
  stallActions: StallRule[];
  /**
   * EC2 actions that carry out a call even when it says DryRun=true, as some emulators do (e.g.
   * ["CreateNetworkAcl"]): the DryRun flag is dropped before the handler sees the request.
   */
  ignoreDryRunActions: string[];
  /**
   * EC2 filter names the sandbox refuses as an emulator that lacks them would (InvalidParameterValue, "The
   * filter 'x' is invalid"), e.g. ["network-acl-id"]: proves a code path never depends on them.
   */
  unsupportedFilters: string[];
  /**
   * S3 access a bucket policy would deny (403 AccessDenied): `bucket` denies every call on the bucket
   * (HeadBucket, listing, objects); `bucket/prefix` denies object calls on keys under the prefix and
   * listings whose Prefix lies under it. Lets a test make a report store unwritable.
   */
  s3AccessDenied: string[];
}

export interface StallRule {
  /** The query Action name, e.g. "ReplaceNetworkAclAssociation". */
  action: string;
  /** How many calls of the action are answered before the stall starts (0 = hold the very first). */
  after: number;
  /**
   * false (default): held BEFORE the action runs, so nothing has changed yet. true: the action runs and
   * takes effect, and only its answer is held — the case of a client that dies with the change made but
   * never confirmed.
   */
  applied?: boolean;
}

export const DEFAULT_KNOBS: Knobs = {
  apiRateLimit: 0,
  apiLatencyMs: 0,
  apiErrorRate: 0,
  failActions: [],
  replacementBootDelayMs: 0,
  replacementLaunchFails: false,
  replacementUnhealthy: false,
  stallActions: [],
  ignoreDryRunActions: [],
  unsupportedFilters: [],
  s3AccessDenied: [],
};
