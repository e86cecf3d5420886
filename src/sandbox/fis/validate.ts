/**
 * CreateExperimentTemplate's checks, as FIS makes them before storing anything: a ValidationException (400)
 * naming the first problem (FIS API reference, CreateExperimentTemplate, Errors,
 * https://docs.aws.amazon.com/fis/latest/APIReference/API_CreateExperimentTemplate.html). Shapes and bounds come
 * from the FIS model (botocore fis/2020-12-01): description ≤ 512, resourceArns ≤ 5 per target (ResourceArnList
 * max 5), tags ≤ 50. Actions and their parameters from the FIS actions reference
 * (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html): durations PT1M–PT12H in ISO 8601.
 *
 * The sandbox serves a subset: targets by ARN of instances and subnets, and three actions. Anything else FIS
 * knows is refused with a message that says the SANDBOX does not support it, so nobody mistakes it for AWS's answer.
 */
import { ApiError } from '../api/errors.js';
import type { FisTarget, FisTemplateAction, StopCondition, TagMap, ValidTemplate } from './types.js';

export const validation = (message: string): ApiError => new ApiError('ValidationException', message, 400);

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Target kind an action takes, and the resource type behind it (fis-actions-reference: "Resource type"). */
const ACTIONS: Record<FisTemplateAction['actionId'], { key: string; resourceType: FisTarget['resourceType']; params: string[] }> = {
  'aws:ec2:terminate-instances': { key: 'Instances', resourceType: 'aws:ec2:instance', params: [] },
  'aws:ec2:stop-instances': { key: 'Instances', resourceType: 'aws:ec2:instance', params: ['startInstancesAfterDuration', 'completeIfInstancesTerminated'] },
  'aws:network:disrupt-connectivity': { key: 'Subnets', resourceType: 'aws:ec2:subnet', params: ['duration', 'scope'] },
};

/** disrupt-connectivity scopes FIS offers; the sandbox models `all` only. */
const OTHER_SCOPES = new Set(['availability-zone', 'dynamodb', 'prefix-list', 's3', 's3express', 'vpc']);

/** ISO 8601 duration (`PT1M`, `PT1H30M`, `PT90S`, `P1D`) → seconds, or undefined when it is not one. */
export function isoSeconds(v: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) return undefined;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return ((d * 24 + h) * 60 + min) * 60 + s;
}

function duration(action: string, name: string, v: string): void {
  const s = isoSeconds(v);
  if (s === undefined) throw validation(`Action ${action}: parameter ${name} '${v}' is not an ISO 8601 duration (e.g. PT1M)`);
  if (s < 60 || s > 12 * 3600) throw validation(`Action ${action}: parameter ${name} '${v}' must be from PT1M to PT12H`);
}

export function accountOfRole(roleArn: string): string | undefined {
  return /^arn:aws[\w-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/.exec(roleArn)?.[1];
}

const arnPattern = (region: string, account: string, kind: 'instance' | 'subnet') =>
  new RegExp(`^arn:aws[\\w-]*:ec2:${region}:${account}:${kind}/(${kind === 'instance' ? 'i' : 'subnet'}-[0-9a-f]+)$`);

export function idOfArn(arn: string, region: string, account: string, type: FisTarget['resourceType']): string | undefined {
  return arnPattern(region, account, type === 'aws:ec2:instance' ? 'instance' : 'subnet').exec(arn)?.[1];
}

export function parseSelection(mode: string): { kind: 'ALL' } | { kind: 'COUNT' | 'PERCENT'; n: number } | undefined {
  if (mode === 'ALL') return { kind: 'ALL' };
  const m = /^(COUNT|PERCENT)\((\d+)\)$/.exec(mode);
  if (!m) return undefined;
  const n = Number(m[2]);
  if (n < 1 || (m[1] === 'PERCENT' && n > 100)) return undefined;
  return { kind: m[1] as 'COUNT' | 'PERCENT', n };
}

function targets(raw: unknown, region: string, account: string): Record<string, FisTarget> {
  if (raw === undefined) return {};
  if (!isObj(raw)) throw validation('targets must be a map of target name to target');
  const out: Record<string, FisTarget> = {};
  for (const [name, t] of Object.entries(raw)) {
    if (!isObj(t)) throw validation(`Target ${name} must be an object`);
    const type = t.resourceType;
    if (type !== 'aws:ec2:instance' && type !== 'aws:ec2:subnet') {
      throw validation(`Target ${name}: resourceType '${String(type)}' is not supported by the sandbox (aws:ec2:instance, aws:ec2:subnet)`);
    }
    if (t.resourceTags !== undefined || t.filters !== undefined || t.parameters !== undefined) {
      throw validation(`Target ${name}: resourceTags, filters and parameters are not supported by the sandbox; name the resources by resourceArns`);
    }
    const arns = t.resourceArns;
    if (!Array.isArray(arns) || arns.length === 0 || !arns.every((a) => typeof a === 'string')) throw validation(`Target ${name}: resourceArns must be a non-empty list of ARNs`);
    if (arns.length > 5) throw validation(`Target ${name}: resourceArns has ${arns.length} ARNs; a target takes at most 5`);
    const wrong = arns.find((a) => !idOfArn(a, region, account, type));
    if (wrong) throw validation(`Target ${name}: '${wrong}' is not a ${type === 'aws:ec2:instance' ? 'instance' : 'subnet'} ARN of account ${account} in ${region}`);
    const selectionMode = typeof t.selectionMode === 'string' ? t.selectionMode : '';
    if (!parseSelection(selectionMode)) throw validation(`Target ${name}: selectionMode '${selectionMode}' must be ALL, COUNT(n) or PERCENT(p)`);
    out[name] = { resourceType: type, resourceArns: [...arns], selectionMode };
  }
  return out;
}

function action(name: string, a: unknown, allTargets: Record<string, FisTarget>): FisTemplateAction {
  if (!isObj(a)) throw validation(`Action ${name} must be an object`);
  const id = a.actionId;
  if (typeof id !== 'string' || !id) throw validation(`Action ${name}: actionId is required`);
  const spec = ACTIONS[id as FisTemplateAction['actionId']] as (typeof ACTIONS)[FisTemplateAction['actionId']] | undefined;
  if (!spec) throw validation(`Action ${name}: action '${id}' is not supported by the sandbox (${Object.keys(ACTIONS).join(', ')})`);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(isObj(a.parameters) ? a.parameters : {})) {
    if (!spec.params.includes(k)) throw validation(`Action ${name}: parameter '${k}' is not valid for ${id}${spec.params.length ? ` (${spec.params.join(', ')})` : ''}`);
    if (typeof v !== 'string') throw validation(`Action ${name}: parameter ${k} must be a string`);
    params[k] = v;
  }
  if (id === 'aws:network:disrupt-connectivity') {
    if (params.duration === undefined) throw validation(`Action ${name}: parameter duration is required`);
    duration(name, 'duration', params.duration);
    const scope = params.scope ?? 'all';
    if (OTHER_SCOPES.has(scope)) throw validation(`Action ${name}: scope '${scope}' is not supported by the sandbox (all)`);
    if (scope !== 'all') throw validation(`Action ${name}: scope '${scope}' is not valid`);
  }
  if (params.startInstancesAfterDuration !== undefined) duration(name, 'startInstancesAfterDuration', params.startInstancesAfterDuration);
  const cit = params.completeIfInstancesTerminated;
  if (cit !== undefined && cit !== 'true' && cit !== 'false') throw validation(`Action ${name}: completeIfInstancesTerminated must be true or false`);
  const t = isObj(a.targets) ? a.targets : {};
  const targetName = t[spec.key];
  if (typeof targetName !== 'string') throw validation(`Action ${name}: ${id} needs targets.${spec.key}`);
  const extra = Object.keys(t).find((k) => k !== spec.key);
  if (extra) throw validation(`Action ${name}: target key '${extra}' is not valid for ${id} (${spec.key})`);
  const target = allTargets[targetName];
  if (!target) throw validation(`Action ${name}: target '${targetName}' is not defined in targets`);
  if (target.resourceType !== spec.resourceType) throw validation(`Action ${name}: target '${targetName}' is ${target.resourceType}; ${id} takes ${spec.resourceType}`);
  const startAfter = Array.isArray(a.startAfter) ? a.startAfter.filter((s): s is string => typeof s === 'string') : [];
  return {
    actionId: id as FisTemplateAction['actionId'],
    ...(typeof a.description === 'string' ? { description: a.description } : {}),
    parameters: params,
    targets: { [spec.key]: targetName },
    startAfter,
  };
}

/** startAfter names must exist and must not form a circle (FIS could never start such actions). */
function checkOrder(actions: Record<string, FisTemplateAction>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw validation(`Action ${name}: startAfter forms a cycle`);
    state.set(name, 'visiting');
    for (const before of actions[name]!.startAfter) {
      if (!actions[before]) throw validation(`Action ${name}: startAfter names '${before}', which is not an action of the template`);
      visit(before);
    }
    state.set(name, 'done');
  };
  for (const name of Object.keys(actions)) visit(name);
}

function stopConditions(raw: unknown, region: string, account: string): StopCondition[] {
  if (!Array.isArray(raw) || raw.length === 0) throw validation('stopConditions is required (use source none for no stop condition)');
  return raw.map((c: unknown) => {
    if (!isObj(c)) throw validation('Each stop condition must be an object');
    if (c.source === 'none') {
      if (c.value !== undefined) throw validation('Stop condition source none takes no value');
      return { source: 'none' };
    }
    if (c.source !== 'aws:cloudwatch:alarm') throw validation(`Stop condition source '${String(c.source)}' must be none or aws:cloudwatch:alarm`);
    const value = typeof c.value === 'string' ? c.value : '';
    if (!new RegExp(`^arn:aws[\\w-]*:cloudwatch:${region}:${account}:alarm:.+$`).test(value)) {
      throw validation(`Stop condition value '${value}' is not a CloudWatch alarm ARN of account ${account} in ${region}`);
    }
    return { source: 'aws:cloudwatch:alarm', value };
  });
}

export function readTags(raw: unknown): TagMap {
  if (raw === undefined) return {};
  if (!isObj(raw)) throw validation('tags must be a map of string to string');
  const entries = Object.entries(raw);
  if (entries.length > 50) throw validation('tags: at most 50 tags');
  for (const [k, v] of entries) if (typeof v !== 'string' || k.length === 0 || k.length > 128 || v.length > 256) throw validation(`tag '${k}' is not valid`);
  return Object.fromEntries(entries) as TagMap;
}

export function validateTemplate(body: Json, region: string, account: string): ValidTemplate {
  const description = body.description;
  if (typeof description !== 'string' || description.length === 0) throw validation('description is required');
  if (description.length > 512) throw validation('description is longer than 512 characters');
  const roleArn = body.roleArn;
  if (typeof roleArn !== 'string' || roleArn === '') throw validation('roleArn is required');
  const roleAccount = accountOfRole(roleArn);
  if (!roleAccount) throw validation(`roleArn '${roleArn}' is not an IAM role ARN`);
  if (roleAccount !== account) throw validation(`roleArn '${roleArn}' belongs to account ${roleAccount}; the experiment role must be in account ${account}`);
  const stops = stopConditions(body.stopConditions, region, account);
  const allTargets = targets(body.targets, region, account);
  if (!isObj(body.actions) || Object.keys(body.actions).length === 0) throw validation('actions is required: at least one action');
  const actions: Record<string, FisTemplateAction> = {};
  for (const [name, a] of Object.entries(body.actions)) actions[name] = action(name, a, allTargets);
  checkOrder(actions);
  const used = new Set(Object.values(actions).flatMap((a) => Object.values(a.targets)));
  const unused = Object.keys(allTargets).find((t) => !used.has(t));
  if (unused) throw validation(`Target ${unused} is not referenced by any action`);
  return { description, targets: allTargets, actions, stopConditions: stops, roleArn, tags: readTags(body.tags) };
}
