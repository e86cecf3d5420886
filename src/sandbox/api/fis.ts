/**
 * The sandbox's AWS FIS endpoint: FIS's REST-JSON protocol (botocore fis/2020-12-01: `protocol: rest-json`,
 * signing name `fis`) on the sandbox's one host. Paths and methods per the FIS API reference
 * (https://docs.aws.amazon.com/fis/latest/APIReference/API_Operations.html). Answers are JSON with timestamps
 * in epoch seconds (the REST-JSON default); errors carry their code in `x-amzn-errortype` and
 * `{ "message": … }` in the body, as the SDKs and the AWS CLI read them.
 *
 * A request is FIS's when its SigV4 scope names service `fis`, or, unsigned, when its path is one of FIS's
 * (server.ts asks before S3, whose unsigned requests are told apart by shape). Signatures are not verified
 * (like every sandbox service); a scope for another region is refused as AWS refuses it (credential-scope.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from '../context.js';
import type { FisExperiment, FisTemplate } from '../fis/types.js';
import { validation } from '../fis/validate.js';
import { readBody } from '../http-body.js';
import { parseCredentialScope, scopeError } from './credential-scope.js';
import { ApiError } from './errors.js';
import type { S3Gate } from './s3.js';

const FIS_PATH = /^\/(experimentTemplates|experiments|tags|actions|targetResourceTypes|targetAccountConfigurations)(\/|$)/;

/** FIS's "slow down": ThrottlingException, HTTP 429 (FIS API reference, Common Errors). */
export const FIS_KNOBS = { signingName: 'fis', throttle: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' } };

export function isFisRequest(req: IncomingMessage, url: URL): boolean {
  const scope = parseCredentialScope(req.headers.authorization);
  if (scope) return scope.service === 'fis';
  return FIS_PATH.test(url.pathname);
}

type Json = Record<string, unknown>;
const secs = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function templateJson(t: FisTemplate): Json {
  return {
    id: t.id,
    arn: t.arn,
    description: t.description,
    targets: t.targets,
    actions: Object.fromEntries(
      Object.entries(t.actions).map(([name, a]) => [
        name,
        {
          actionId: a.actionId,
          ...(a.description ? { description: a.description } : {}),
          parameters: a.parameters,
          targets: a.targets,
          ...(a.startAfter.length ? { startAfter: a.startAfter } : {}),
        },
      ]),
    ),
    stopConditions: t.stopConditions,
    creationTime: secs(t.creationTime),
    lastUpdateTime: secs(t.lastUpdateTime),
    roleArn: t.roleArn,
    tags: t.tags,
    experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
    targetAccountConfigurationsCount: 0,
  };
}

function state(e: FisExperiment): Json {
  return { status: e.status, reason: e.reason, ...(e.error ? { error: e.error } : {}) };
}

const options = (e: FisExperiment) => ({ accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail', actionsMode: e.actionsMode });

function experimentJson(e: FisExperiment): Json {
  const actions: Json = {};
  for (const a of e.actions.values()) {
    actions[a.name] = {
      actionId: a.actionId,
      ...(a.description ? { description: a.description } : {}),
      parameters: a.parameters,
      targets: a.targets,
      ...(a.startAfter.length ? { startAfter: a.startAfter } : {}),
      state: { status: a.status, reason: a.reason },
      ...(a.startTime !== undefined ? { startTime: secs(a.startTime) } : {}),
      ...(a.endTime !== undefined ? { endTime: secs(a.endTime) } : {}),
    };
  }
  return {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.experimentTemplateId,
    roleArn: e.roleArn,
    state: state(e),
    targets: e.targets,
    actions,
    stopConditions: e.stopConditions,
    creationTime: secs(e.creationTime),
    ...(e.startTime !== undefined ? { startTime: secs(e.startTime) } : {}),
    ...(e.endTime !== undefined ? { endTime: secs(e.endTime) } : {}),
    tags: e.tags,
    experimentOptions: options(e),
    targetAccountConfigurationsCount: 0,
  };
}

const summaryJson = (e: FisExperiment): Json => ({
  id: e.id,
  arn: e.arn,
  experimentTemplateId: e.experimentTemplateId,
  state: state(e),
  creationTime: secs(e.creationTime),
  tags: e.tags,
  experimentOptions: options(e),
});

/** A page of `items` from `nextToken` (an offset this endpoint handed out), maxResults 1–100. */
function page<T>(items: T[], q: URLSearchParams): { items: T[]; nextToken?: string } {
  const max = q.has('maxResults') ? Number(q.get('maxResults')) : 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw validation('maxResults must be from 1 to 100');
  const token = q.get('nextToken');
  const from = token === null ? 0 : Number(token);
  if (!Number.isInteger(from) || from < 0 || from > items.length) throw validation('nextToken is not valid');
  const end = from + max;
  return { items: items.slice(from, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

function parseJson(body: string): Json {
  if (body.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json;
  } catch {
    // answered below
  }
  throw validation('The request body is not a JSON object');
}

type Op = [action: string, run: () => Json];

function route(ctx: SandboxContext, method: string, segs: string[], q: URLSearchParams, body: () => Json): Op {
  const fis = ctx.fis;
  const [root, id, sub] = segs;
  const key = `${method} ${root}${id !== undefined ? '/{id}' : ''}${sub !== undefined ? `/${sub}` : ''}`;
  switch (key) {
    case 'POST experimentTemplates':
      return ['CreateExperimentTemplate', () => ({ experimentTemplate: templateJson(fis.createTemplate(body())) })];
    case 'GET experimentTemplates':
      return [
        'ListExperimentTemplates',
        () => {
          const p = page([...fis.templates.values()], q);
          return {
            experimentTemplates: p.items.map((t) => ({
              id: t.id,
              arn: t.arn,
              description: t.description,
              creationTime: secs(t.creationTime),
              lastUpdateTime: secs(t.lastUpdateTime),
              tags: t.tags,
            })),
            ...(p.nextToken ? { nextToken: p.nextToken } : {}),
          };
        },
      ];
    case 'GET experimentTemplates/{id}':
      return ['GetExperimentTemplate', () => ({ experimentTemplate: templateJson(fis.template(id!)) })];
    case 'DELETE experimentTemplates/{id}':
      return ['DeleteExperimentTemplate', () => ({ experimentTemplate: templateJson(fis.deleteTemplate(id!)) })];
    case 'POST experiments':
      return ['StartExperiment', () => ({ experiment: experimentJson(fis.start(body())) })];
    case 'GET experiments':
      return [
        'ListExperiments',
        () => {
          const p = page(fis.experiments(q.get('experimentTemplateId') ?? undefined), q);
          return { experiments: p.items.map(summaryJson), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
        },
      ];
    case 'GET experiments/{id}':
      return ['GetExperiment', () => ({ experiment: experimentJson(fis.experiment(id!)) })];
    case 'DELETE experiments/{id}':
      return ['StopExperiment', () => ({ experiment: experimentJson(fis.stop(id!)) })];
    case 'GET experiments/{id}/resolvedTargets':
      return [
        'ListExperimentResolvedTargets',
        // targetInformation is a string map whose keys the API reference does not list; the sandbox gives the
        // resource's ARN under `arn`. Readers should rely on no more than "a value that is the ARN".
        () => {
          const name = q.get('targetName');
          const all = fis.experiment(id!).resolved.filter((r) => name === null || r.targetName === name);
          const p = page(all, q);
          return {
            resolvedTargets: p.items.map((r) => ({ resourceType: r.resourceType, targetName: r.targetName, targetInformation: { arn: r.arn } })),
            ...(p.nextToken ? { nextToken: p.nextToken } : {}),
          };
        },
      ];
    case 'GET tags/{id}':
      return ['ListTagsForResource', () => ({ tags: fis.tagsOf(id!) ?? {} })];
    case 'POST tags/{id}':
      return [
        'TagResource',
        () => {
          const tags = fis.tagsOf(id!);
          if (!tags) throw new ApiError('ResourceNotFoundException', `Resource ${id} not found.`, 404);
          Object.assign(tags, (body().tags ?? {}) as Record<string, string>);
          return {};
        },
      ];
    case 'DELETE tags/{id}':
      return [
        'UntagResource',
        () => {
          const tags = fis.tagsOf(id!);
          if (!tags) throw new ApiError('ResourceNotFoundException', `Resource ${id} not found.`, 404);
          for (const k of q.getAll('tagKeys')) delete tags[k];
          return {};
        },
      ];
    default:
      throw new ApiError('UnknownOperationException', `The sandbox's FIS does not serve ${method} /${segs.join('/')}`, 404);
  }
}

function send(res: ServerResponse, status: number, requestId: string, body: Json, code?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...(code ? { 'x-amzn-errortype': code } : {}) });
  res.end(JSON.stringify(body));
}

/** Serves one FIS request; never throws (a failure is an FIS error answer). */
export async function handleFis(req: IncomingMessage, res: ServerResponse, ctx: SandboxContext, gate: S3Gate, requestId: string): Promise<void> {
  try {
    const raw = await readBody(req);
    if (raw === undefined) throw new ApiError('ValidationException', 'The request body is too large', 413);
    const scope = parseCredentialScope(req.headers.authorization);
    const refusal = scope && scopeError(scope, { region: ctx.world.region, signingName: 'fis' });
    if (refusal) throw refusal;
    const q = new URL(req.url ?? '/', 'http://sandbox');
    // Labels are percent-encoded by clients (an ARN's `:` and `/` in /tags/{resourceArn}): split first, then decode.
    const segs = (req.url ?? '/')
      .split('?')[0]!
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    if (segs[0] === 'tags' && segs.length > 2) segs.splice(1, segs.length - 1, segs.slice(1).join('/'));
    const [action, run] = route(ctx, req.method ?? 'GET', segs, q.searchParams, () => parseJson(raw));
    const after = await gate(action);
    const out = run();
    if (after) await after();
    send(res, 200, requestId, out);
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError('InternalServerException', `An internal error has occurred: ${(err as Error)?.message ?? String(err)}`, 500);
    send(res, e.status, requestId, { message: e.message }, e.code);
  }
}
