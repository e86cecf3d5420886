/**
 * A small AWS FIS client: the operations chaos-ec2 needs, over the signed REST-JSON transport (fis-transport.ts).
 * Paths, methods and members are those of the FIS API reference
 * (https://docs.aws.amazon.com/fis/latest/APIReference/API_Operations.html; botocore fis/2020-12-01 model).
 *
 * Why not @aws-sdk/client-fis: the registry offers it only at 3.523.0, whose StartExperiment serializer
 * (dist-cjs se_StartExperimentCommand) sends only clientToken, experimentTemplateId and tags — it DROPS
 * `experimentOptions`, so a dry run asking for `actionsMode: skip-all` would start the actions for real. This
 * client serializes every member it is given; a sandbox test proves skip-all reaches the wire.
 */
import { randomUUID } from 'node:crypto';
import type {
  CallOptions,
  CreateExperimentTemplateInput,
  Experiment,
  ExperimentSummary,
  ExperimentTemplate,
  ExperimentTemplateSummary,
  PageInput,
  ResolvedTarget,
  StartExperimentInput,
  TagMap,
} from './fis-types.js';
import { FisTransport, type TransportConfig } from './fis-transport.js';

export type * from './fis-types.js';
export { FisServiceError } from './fis-transport.js';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** The FIS endpoint of a region (FIS endpoints and quotas: fis.<region>.amazonaws.com; .com.cn in China). */
export function fisEndpoint(region: string): string {
  return `https://fis.${region}.amazonaws.${region.startsWith('cn-') ? 'com.cn' : 'com'}`;
}

/** Epoch seconds (REST-JSON's default timestamp format) or an ISO string → Date; anything else → undefined. */
function toDate(v: unknown): Date | undefined {
  if (typeof v === 'number') return new Date(v * 1000);
  if (typeof v === 'string' && v !== '') {
    const d = new Date(/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

type Json = Record<string, unknown>;

/** Replaces the timestamp members named in `keys` (where present) by Dates. */
function withDates<T>(obj: unknown, keys: string[]): T {
  const o = { ...(obj as Json) };
  for (const k of keys) {
    if (k in o) {
      const d = toDate(o[k]);
      if (d) o[k] = d;
      else delete o[k];
    }
  }
  return o as T;
}

function template(raw: unknown): ExperimentTemplate {
  return withDates<ExperimentTemplate>(raw, ['creationTime', 'lastUpdateTime']);
}

function experiment(raw: unknown): Experiment {
  const e = withDates<Experiment>(raw, ['creationTime', 'startTime', 'endTime']);
  if (e.actions) {
    e.actions = Object.fromEntries(Object.entries(e.actions).map(([name, a]) => [name, withDates(a, ['startTime', 'endTime'])]));
  }
  return e;
}

const seg = (s: string) => encodeURIComponent(s);
const num = (n: number | undefined) => (n === undefined ? undefined : String(n));

export class FisClient {
  private readonly transport: FisTransport;

  constructor(cfg: Omit<TransportConfig, 'endpoint'> & { endpoint?: string }) {
    this.transport = new FisTransport({ ...cfg, endpoint: cfg.endpoint ?? fisEndpoint(cfg.region) });
  }

  destroy(): void {
    this.transport.destroy();
  }

  async createExperimentTemplate(input: CreateExperimentTemplateInput, opts: CallOptions = {}): Promise<ExperimentTemplate> {
    const body = { ...input, clientToken: input.clientToken ?? randomUUID() };
    const out = (await this.transport.send({ method: 'POST', path: '/experimentTemplates', body, signal: opts.signal })) as Json;
    return template(out.experimentTemplate);
  }

  async getExperimentTemplate(id: string, opts: CallOptions = {}): Promise<ExperimentTemplate> {
    const out = (await this.transport.send({ method: 'GET', path: `/experimentTemplates/${seg(id)}`, signal: opts.signal })) as Json;
    return template(out.experimentTemplate);
  }

  async deleteExperimentTemplate(id: string, opts: CallOptions = {}): Promise<ExperimentTemplate> {
    const out = (await this.transport.send({ method: 'DELETE', path: `/experimentTemplates/${seg(id)}`, signal: opts.signal })) as Json;
    return template(out.experimentTemplate);
  }

  /** `experimentOptions.actionsMode` is sent as given: `skip-all` only resolves the targets. */
  async startExperiment(input: StartExperimentInput, opts: CallOptions = {}): Promise<Experiment> {
    const out = (await this.transport.send({ method: 'POST', path: '/experiments', body: input, signal: opts.signal })) as Json;
    return experiment(out.experiment);
  }

  async getExperiment(id: string, opts: CallOptions = {}): Promise<Experiment> {
    const out = (await this.transport.send({ method: 'GET', path: `/experiments/${seg(id)}`, signal: opts.signal })) as Json;
    return experiment(out.experiment);
  }

  /** FIS answers with the experiment, now `stopping`; it reverts what its actions did by itself. */
  async stopExperiment(id: string, opts: CallOptions = {}): Promise<Experiment> {
    const out = (await this.transport.send({ method: 'DELETE', path: `/experiments/${seg(id)}`, signal: opts.signal })) as Json;
    return experiment(out.experiment);
  }

  async listExperimentsPage(input: PageInput & { experimentTemplateId?: string } = {}, opts: CallOptions = {}): Promise<Page<ExperimentSummary>> {
    const query = { maxResults: num(input.maxResults), nextToken: input.nextToken, experimentTemplateId: input.experimentTemplateId };
    const out = (await this.transport.send({ method: 'GET', path: '/experiments', query, signal: opts.signal })) as Json;
    const items = ((out.experiments as unknown[] | undefined) ?? []).map((s) => withDates<ExperimentSummary>(s, ['creationTime']));
    return { items, ...(typeof out.nextToken === 'string' ? { nextToken: out.nextToken } : {}) };
  }

  /** Every page (FIS pages at most 100 a page). */
  async listExperiments(input: { experimentTemplateId?: string } = {}, opts: CallOptions = {}): Promise<ExperimentSummary[]> {
    return allPages((nextToken) => this.listExperimentsPage({ ...input, maxResults: 100, ...(nextToken ? { nextToken } : {}) }, opts));
  }

  async listExperimentTemplatesPage(input: PageInput = {}, opts: CallOptions = {}): Promise<Page<ExperimentTemplateSummary>> {
    const query = { maxResults: num(input.maxResults), nextToken: input.nextToken };
    const out = (await this.transport.send({ method: 'GET', path: '/experimentTemplates', query, signal: opts.signal })) as Json;
    const items = ((out.experimentTemplates as unknown[] | undefined) ?? []).map((t) => withDates<ExperimentTemplateSummary>(t, ['creationTime', 'lastUpdateTime']));
    return { items, ...(typeof out.nextToken === 'string' ? { nextToken: out.nextToken } : {}) };
  }

  /** Every page. */
  async listExperimentTemplates(opts: CallOptions = {}): Promise<ExperimentTemplateSummary[]> {
    return allPages((nextToken) => this.listExperimentTemplatesPage({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }, opts));
  }

  async listExperimentResolvedTargetsPage(id: string, input: PageInput & { targetName?: string } = {}, opts: CallOptions = {}): Promise<Page<ResolvedTarget>> {
    const query = { maxResults: num(input.maxResults), nextToken: input.nextToken, targetName: input.targetName };
    const out = (await this.transport.send({ method: 'GET', path: `/experiments/${seg(id)}/resolvedTargets`, query, signal: opts.signal })) as Json;
    return { items: (out.resolvedTargets as ResolvedTarget[] | undefined) ?? [], ...(typeof out.nextToken === 'string' ? { nextToken: out.nextToken } : {}) };
  }

  async listExperimentResolvedTargets(id: string, input: { targetName?: string } = {}, opts: CallOptions = {}): Promise<ResolvedTarget[]> {
    return allPages((nextToken) => this.listExperimentResolvedTargetsPage(id, { ...input, maxResults: 100, ...(nextToken ? { nextToken } : {}) }, opts));
  }

  async listTagsForResource(resourceArn: string, opts: CallOptions = {}): Promise<TagMap> {
    const out = (await this.transport.send({ method: 'GET', path: `/tags/${seg(resourceArn)}`, signal: opts.signal })) as Json;
    return (out.tags as TagMap | undefined) ?? {};
  }

  async tagResource(resourceArn: string, tags: TagMap, opts: CallOptions = {}): Promise<void> {
    await this.transport.send({ method: 'POST', path: `/tags/${seg(resourceArn)}`, body: { tags }, signal: opts.signal });
  }
}

/** Follows nextToken until FIS stops returning one (a repeated token ends it too, rather than looping). */
async function allPages<T>(page: (nextToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const p = await page(token);
    all.push(...p.items);
    token = p.nextToken && !seen.has(p.nextToken) ? p.nextToken : undefined;
    if (token) seen.add(token);
  } while (token);
  return all;
}
