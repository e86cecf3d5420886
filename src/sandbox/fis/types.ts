/**
 * The sandbox's AWS FIS state: experiment templates and experiments as FIS keeps them (FIS API reference,
 * ExperimentTemplate / Experiment, https://docs.aws.amazon.com/fis/latest/APIReference/API_Experiment.html).
 * Times are ms since the epoch on the world's clock; api/fis.ts renders them as epoch seconds.
 */
import type { Rng } from '../../core/random.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Timings } from '../profiles.js';
import type { Timers } from '../timers.js';
import type { World } from '../world/world.js';

export type ExperimentStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed' | 'cancelled';
export type ActionStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'cancelled' | 'stopping' | 'stopped' | 'failed' | 'skipped';
export type ActionsMode = 'run-all' | 'skip-all';

export type TagMap = Record<string, string>;

export interface FisTarget {
  resourceType: 'aws:ec2:instance' | 'aws:ec2:subnet';
  resourceArns: string[];
  /** ALL, COUNT(n) or PERCENT(p), as given. */
  selectionMode: string;
}

export interface FisTemplateAction {
  actionId: 'aws:ec2:terminate-instances' | 'aws:ec2:stop-instances' | 'aws:network:disrupt-connectivity';
  description?: string;
  parameters: Record<string, string>;
  /** `Instances` / `Subnets` → a target's name. */
  targets: Record<string, string>;
  startAfter: string[];
}

export interface StopCondition {
  source: 'none' | 'aws:cloudwatch:alarm';
  value?: string;
}

/** What a CreateExperimentTemplate request says, once validated. */
export interface ValidTemplate {
  description: string;
  targets: Record<string, FisTarget>;
  actions: Record<string, FisTemplateAction>;
  stopConditions: StopCondition[];
  roleArn: string;
  tags: TagMap;
}

export interface FisTemplate extends ValidTemplate {
  id: string;
  arn: string;
  creationTime: number;
  lastUpdateTime: number;
}

/** One resource a target resolved to at initiation (ListExperimentResolvedTargets). */
export interface ResolvedTarget {
  targetName: string;
  resourceType: FisTarget['resourceType'];
  arn: string;
  /** The instance or subnet id the ARN names. */
  id: string;
}

export interface ActionRun extends FisTemplateAction {
  name: string;
  status: ActionStatus;
  reason: string;
  startTime?: number;
  endTime?: number;
}

export interface FisExperiment {
  id: string;
  arn: string;
  experimentTemplateId: string;
  roleArn: string;
  status: ExperimentStatus;
  reason: string;
  /** Set when the experiment failed (ExperimentError: code and where). */
  error?: { code: string; location?: string };
  targets: Record<string, FisTarget>;
  actions: Map<string, ActionRun>;
  stopConditions: StopCondition[];
  creationTime: number;
  startTime?: number;
  endTime?: number;
  tags: TagMap;
  /** The actionsMode the experiment runs with (run-all when the request named none). */
  actionsMode: ActionsMode;
  clientToken: string;
  resolved: ResolvedTarget[];
}

/**
 * What the FIS engine uses of the sandbox: the SandboxContext satisfies it. Its own type, not the context's,
 * because the context names FisStore: importing it here would make an import circle.
 */
export interface FisDeps {
  world: World;
  timers: Timers;
  timings: Timings;
  lifecycle: Lifecycle;
  rng: Rng;
}
