/**
 * The sandbox's one public entry: everything code outside src/sandbox (the CLI, tests, benchmarks) uses.
 * Import from here rather than from the files behind it, so the sandbox can move its insides freely.
 */
// Starting one: a bare sandbox, or one with the sample stack built and steady (what `chaos-ec2 sandbox` runs).
export { runningSandbox, startSandbox, type Sandbox, type SandboxOptions } from './server.js';
export { DEMO_HOST, SANDBOX_CREDENTIALS, startEmbeddedSandbox, type EmbeddedOptions, type EmbeddedSandbox } from './embedded.js';
export { nodeAddresses, type StackInfo } from './stack-info.js';
export type { CertificateStore } from './tls/certificates.js';
export { createSampleStack, waitForSteadyState, type SampleStack, type StackClients, type StackOptions } from './stack.js';
export { DEMO_WEIGHTS, type StackWeight } from './weighted-stack.js';

// Configuration: timing profiles and fault knobs (set at start, or later through setKnobs / POST /_sandbox/knobs).
export { PROFILES, resolveTimings, type ProfileName, type Timings } from './profiles.js';
export { DEFAULT_KNOBS, type Knobs, type StallRule } from './knobs.js';
// AWS FIS: the one role it assumes.
export { fisRoleArn } from './fis/role.js';
export type { FisStore } from './fis/store.js';
export { setKnobs, validateKnobs } from './knob-control.js';

// Ground truth: the world, its event log, and the records in it.
export type { SandboxContext } from './context.js';
export { World, type WorldOptions } from './world/world.js';
export { EventLog } from './world/event-log.js';
export type { SandboxEvent, SandboxEventBody, SandboxEventType } from './world/events.js';
export { INSTANCE_STATE_CODE } from './world/types.js';
export type {
  AsgInstance,
  AutoScalingGroup,
  Instance,
  InstanceStateName,
  LifecycleState,
  Listener,
  ListenerAction,
  ListenerRule,
  LoadBalancer,
  NetworkAcl,
  NetworkAclEntry,
  RuleCondition,
  ScalingActivity,
  TargetHealthState,
  TargetRegistration,
} from './world/types.js';
