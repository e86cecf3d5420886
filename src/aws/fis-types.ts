/**
 * AWS FIS shapes as they travel on the wire (REST-JSON, camelCase members), from the FIS API reference
 * (https://docs.aws.amazon.com/fis/latest/APIReference/) and its model (botocore data/fis/2020-12-01/service-2.json).
 * Only what chaos-ec2 sends or reads is typed; FIS may answer with more, which is kept as received. Timestamps
 * arrive as epoch seconds (the REST-JSON protocol's default) and are handed out as Dates.
 */

export type ActionsMode = 'run-all' | 'skip-all';

/** ExperimentStatus: `cancelled` came later than the rest (experiments cancelled before they started). */
export type ExperimentStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed' | 'cancelled';

export type ExperimentActionStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'cancelled' | 'stopping' | 'stopped' | 'failed' | 'skipped';

export type TagMap = Record<string, string>;

export interface TemplateTarget {
  /** e.g. `aws:ec2:instance`, `aws:ec2:subnet`. */
  resourceType: string;
  /** At most 5 per target (FIS quota). */
  resourceArns?: string[];
  resourceTags?: TagMap;
  filters?: { path: string; values: string[] }[];
  /** `ALL`, `COUNT(n)` or `PERCENT(p)`. */
  selectionMode: string;
  parameters?: Record<string, string>;
}

export interface TemplateAction {
  /** e.g. `aws:ec2:terminate-instances`. */
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  /** Target kind (`Instances`, `Subnets`) → the template target's name. */
  targets?: Record<string, string>;
  startAfter?: string[];
}

export interface StopCondition {
  /** `none` or `aws:cloudwatch:alarm`. */
  source: string;
  /** The alarm's ARN when source is an alarm. */
  value?: string;
}

export interface CreateExperimentTemplateInput {
  /** Made up (a UUID) when absent, once per call, so the client's retries cannot create two templates. */
  clientToken?: string;
  description: string;
  stopConditions: StopCondition[];
  targets?: Record<string, TemplateTarget>;
  actions: Record<string, TemplateAction>;
  roleArn: string;
  tags?: TagMap;
}

export interface ExperimentTemplate {
  id: string;
  arn?: string;
  description?: string;
  targets?: Record<string, TemplateTarget>;
  actions?: Record<string, TemplateAction>;
  stopConditions?: StopCondition[];
  creationTime?: Date;
  lastUpdateTime?: Date;
  roleArn?: string;
  tags?: TagMap;
}

/** What ListExperimentTemplates gives of a template. */
export type ExperimentTemplateSummary = Pick<ExperimentTemplate, 'id' | 'arn' | 'description' | 'creationTime' | 'lastUpdateTime' | 'tags'>;

export interface ExperimentState {
  status: ExperimentStatus;
  reason?: string;
  error?: { accountId?: string; code?: string; location?: string };
}

export interface ExperimentAction {
  actionId?: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
  state?: { status: ExperimentActionStatus; reason?: string };
  startTime?: Date;
  endTime?: Date;
}

export interface ExperimentOptions {
  accountTargeting?: string;
  emptyTargetResolutionMode?: string;
  actionsMode?: ActionsMode;
}

export interface Experiment {
  id: string;
  arn?: string;
  experimentTemplateId?: string;
  roleArn?: string;
  state: ExperimentState;
  targets?: Record<string, TemplateTarget>;
  actions?: Record<string, ExperimentAction>;
  stopConditions?: StopCondition[];
  creationTime?: Date;
  startTime?: Date;
  endTime?: Date;
  tags?: TagMap;
  experimentOptions?: ExperimentOptions;
}

export interface StartExperimentInput {
  /** Required by FIS: the same token within its idempotency window returns the same experiment. */
  clientToken: string;
  experimentTemplateId: string;
  experimentOptions?: { actionsMode?: ActionsMode };
  tags?: TagMap;
}

export interface ExperimentSummary {
  id: string;
  arn?: string;
  experimentTemplateId?: string;
  state: ExperimentState;
  creationTime?: Date;
  tags?: TagMap;
  experimentOptions?: ExperimentOptions;
}

export interface ResolvedTarget {
  resourceType?: string;
  targetName?: string;
  /** e.g. `{ arn: 'arn:aws:ec2:…:instance/i-…' }`. */
  targetInformation?: Record<string, string>;
}

/** A page request: FIS allows maxResults 1–100. */
export interface PageInput {
  maxResults?: number;
  nextToken?: string;
}

/** Every call can be cancelled (the run's signal); the client bounds each attempt with its own timeout too. */
export interface CallOptions {
  signal?: AbortSignal;
}
