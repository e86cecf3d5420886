/**
 * The sandbox's AWS FIS: experiment templates and experiments, and the operations the API layer (api/fis.ts)
 * serves. Each experiment runs in its own ExperimentEngine on the sandbox's timers, so it goes on (and reverts
 * what it did) with no client connected. Errors as the FIS API reference lists them per operation
 * (https://docs.aws.amazon.com/fis/latest/APIReference/CommonErrors.html and each operation's Errors):
 * ValidationException 400, ResourceNotFoundException 404, ConflictException 409.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { ExperimentEngine, type AlarmStates } from './engine.js';
import type { FisDeps, FisExperiment, FisTemplate, TagMap } from './types.js';
import { readTags, validateTemplate, validation } from './validate.js';

export type { AlarmState, AlarmStates } from './engine.js';

const notFound = (message: string) => new ApiError('ResourceNotFoundException', message, 404);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** FIS ids: a prefix (EXT for templates, EXP for experiments) and letters and digits, e.g. `EXPaB3dE5fG7hI9jK1`. */
function fisId(prefix: 'EXT' | 'EXP'): string {
  return prefix + [...randomBytes(15)].map((b) => ALNUM[b % ALNUM.length]).join('');
}

export interface StartInput {
  clientToken?: unknown;
  experimentTemplateId?: unknown;
  experimentOptions?: unknown;
  tags?: unknown;
}

export class FisStore {
  readonly templates = new Map<string, FisTemplate>();
  private readonly engines = new Map<string, ExperimentEngine>();
  /** clientToken → template or experiment id: the same token returns the same resource (idempotency). */
  private readonly templateTokens = new Map<string, string>();
  private readonly experimentTokens = new Map<string, string>();

  constructor(
    private readonly ctx: FisDeps,
    /** Where stop conditions are read; a function so the CloudWatch store can be wired in after this one. */
    readonly alarms: () => AlarmStates,
  ) {}

  private arn(kind: 'experiment-template' | 'experiment', id: string): string {
    return `arn:aws:fis:${this.ctx.world.region}:${this.ctx.world.accountId}:${kind}/${id}`;
  }

  createTemplate(body: Record<string, unknown>): FisTemplate {
    const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
    if (!token) throw validation('clientToken is required');
    const again = this.templateTokens.get(token);
    if (again && this.templates.has(again)) return this.templates.get(again)!;
    const { world } = this.ctx;
    const valid = validateTemplate(body, world.region, world.accountId);
    const id = fisId('EXT');
    const now = world.now();
    const t: FisTemplate = { id, arn: this.arn('experiment-template', id), ...valid, creationTime: now, lastUpdateTime: now };
    this.templates.set(id, t);
    this.templateTokens.set(token, id);
    return t;
  }

  template(id: string): FisTemplate {
    const t = this.templates.get(id);
    if (!t) throw notFound(`Experiment template ${id} not found.`);
    return t;
  }

  deleteTemplate(id: string): FisTemplate {
    const t = this.template(id);
    this.templates.delete(id);
    return t;
  }

  /**
   * StartExperiment. The same clientToken returns the experiment it started before (for the same template);
   * with another template it is a conflict. `experimentOptions.actionsMode` is recorded as it arrived.
   */
  start(body: StartInput): FisExperiment {
    const token = typeof body.clientToken === 'string' && body.clientToken !== '' ? body.clientToken : undefined;
    if (!token) throw validation('clientToken is required');
    if (typeof body.experimentTemplateId !== 'string' || !body.experimentTemplateId) throw validation('experimentTemplateId is required');
    const previous = this.experimentTokens.get(token);
    if (previous) {
      const exp = this.engines.get(previous)!.exp;
      if (exp.experimentTemplateId !== body.experimentTemplateId)
        throw new ApiError('ConflictException', `clientToken ${token} was already used to start experiment ${exp.id} from another template.`, 409);
      return exp;
    }
    const template = this.template(body.experimentTemplateId);
    const options = (body.experimentOptions ?? {}) as { actionsMode?: unknown };
    const onWire = options.actionsMode === undefined ? null : typeof options.actionsMode === 'string' ? options.actionsMode : JSON.stringify(options.actionsMode);
    if (onWire !== null && onWire !== 'run-all' && onWire !== 'skip-all') throw validation(`experimentOptions.actionsMode '${onWire}' must be run-all or skip-all`);
    const tags = readTags(body.tags);
    const id = fisId('EXP');
    const exp: FisExperiment = {
      id,
      arn: this.arn('experiment', id),
      experimentTemplateId: template.id,
      roleArn: template.roleArn,
      status: 'pending',
      reason: '',
      targets: structuredClone(template.targets),
      actions: new Map(Object.entries(template.actions).map(([name, a]) => [name, { ...structuredClone(a), name, status: 'pending', reason: 'Initial state' }])),
      stopConditions: structuredClone(template.stopConditions),
      creationTime: this.ctx.world.now(),
      // Only StartExperiment's own tags ("The tags to apply to the experiment"): the template's stay on the
      // template, so a caller that finds its experiments by tag must tag them when it starts them.
      tags,
      actionsMode: onWire ?? 'run-all',
      clientToken: token,
      resolved: [],
    };
    const engine = new ExperimentEngine(this.ctx, exp, this.alarms);
    this.engines.set(id, engine);
    this.experimentTokens.set(token, id);
    engine.begin(onWire);
    return exp;
  }

  experiment(id: string): FisExperiment {
    const e = this.engines.get(id);
    if (!e) throw notFound(`Experiment ${id} not found.`);
    return e.exp;
  }

  /** StopExperiment: an experiment that already finished is answered as it is. */
  stop(id: string): FisExperiment {
    const e = this.engines.get(id);
    if (!e) throw notFound(`Experiment ${id} not found.`);
    e.stop();
    return e.exp;
  }

  /** Newest first, as the FIS console lists them. */
  experiments(templateId?: string): FisExperiment[] {
    return [...this.engines.values()]
      .map((e) => e.exp)
      .filter((e) => templateId === undefined || e.experimentTemplateId === templateId)
      .sort((a, b) => b.creationTime - a.creationTime);
  }

  /** Tags of a template or experiment by ARN; undefined when no such resource. */
  tagsOf(arn: string): TagMap | undefined {
    const m = /:(experiment-template|experiment)\/([^/]+)$/.exec(arn);
    if (!m) return undefined;
    if (m[1] === 'experiment-template') return this.templates.get(m[2]!)?.tags;
    return this.engines.get(m[2]!)?.exp.tags;
  }
}
