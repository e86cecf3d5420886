/**
 * Reading and checking listener/rule actions and rule conditions, shared by CreateListener, ModifyListener,
 * CreateRule and ModifyRule. The shapes and limits follow the ELBv2 API Reference ("Action",
 * "ForwardActionConfig", "RedirectActionConfig", "FixedResponseActionConfig", "RuleCondition") and the ALB
 * user guide ("Listener rules": https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html,
 * "Condition types": https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html).
 */
import type { ApiContext } from '../context.js';
import type { LoadBalancer, ListenerAction, RedirectConfig, RuleCondition, RuleConditionField } from '../world/types.js';
import { ApiError, validationError } from './errors.js';
import type { Params } from './query.js';
import { constraintError, requireTg } from './elbv2-common.js';

const invalidAction = (message: string): ApiError => new ApiError('InvalidLoadBalancerAction', message);

/** ForwardConfig takes at most 5 target groups ("Quotas for your Application Load Balancers": target groups per action). */
const MAX_FORWARD_GROUPS = 5;
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

function intIn(raw: string | undefined, field: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw constraintError(raw, field, 'Member must be an integer');
  const n = Number(raw);
  if (n < min) throw constraintError(raw, field, `Member must have value greater than or equal to ${min}`);
  if (n > max) throw constraintError(raw, field, `Member must have value less than or equal to ${max}`);
  return n;
}

function forward(a: Params, lb: LoadBalancer, ctx: ApiContext, order: number | undefined): ListenerAction {
  const direct = a.str('TargetGroupArn');
  const weighted = a.structs('ForwardConfig.TargetGroups.member').map((t, i) => ({
    targetGroupArn: t.required('TargetGroupArn'),
    // Weight 0–999, default 1 (ELBv2 API Reference, TargetGroupTuple).
    weight: intIn(t.str('Weight'), `forwardConfig.targetGroups.${i + 1}.member.weight`, 0, 999) ?? 1,
  }));
  if (!direct && !weighted.length) throw validationError('A target group ARN must be specified');
  if (direct && weighted.length && (weighted.length !== 1 || weighted[0]!.targetGroupArn !== direct)) {
    // "If you specify both ForwardConfig and TargetGroupArn, you can specify only one target group using
    // ForwardConfig and it must be the same target group specified in TargetGroupArn." (Action, API Reference)
    throw validationError('You cannot specify a target group ARN and a forward config with different target groups');
  }
  if (weighted.length > MAX_FORWARD_GROUPS) throw new ApiError('TooManyTargetGroups', `You cannot specify more than ${MAX_FORWARD_GROUPS} target groups in a forward action`);
  const groups = weighted.length ? weighted : [{ targetGroupArn: direct!, weight: 1 }];
  if (new Set(groups.map((g) => g.targetGroupArn)).size !== groups.length) throw validationError('A target group can be specified only once in a forward action');
  for (const g of groups) {
    const tg = requireTg(ctx, g.targetGroupArn);
    if (tg.vpcId !== lb.vpcId) {
      throw validationError(`The VPC ID '${tg.vpcId}' of target group '${tg.targetGroupArn}' does not match the VPC ID '${lb.vpcId}' of load balancer '${lb.loadBalancerArn}'`);
    }
  }
  const sticky = a.str('ForwardConfig.TargetGroupStickinessConfig.Enabled');
  const duration = intIn(a.str('ForwardConfig.TargetGroupStickinessConfig.DurationSeconds'), 'forwardConfig.targetGroupStickinessConfig.durationSeconds', 1, 604800);
  return {
    type: 'forward',
    ...(order !== undefined ? { order } : {}),
    ...(direct ? { targetGroupArn: direct } : {}),
    targetGroups: groups,
    ...(sticky !== undefined ? { stickiness: { enabled: sticky === 'true', ...(duration !== undefined ? { durationSeconds: duration } : {}) } } : {}),
  };
}

function redirect(a: Params, order: number | undefined): ListenerAction {
  const c = a.struct('RedirectConfig');
  if (!c) throw validationError('A redirect configuration must be specified for a redirect action');
  const statusCode = c.required('StatusCode');
  if (statusCode !== 'HTTP_301' && statusCode !== 'HTTP_302') {
    throw constraintError(statusCode, 'redirectConfig.statusCode', 'Member must satisfy enum value set: [HTTP_301, HTTP_302]');
  }
  // Unset parts keep the request's own; these are the defaults the API documents (RedirectActionConfig).
  const cfg: RedirectConfig = {
    protocol: c.str('Protocol') ?? '#{protocol}',
    port: c.str('Port') ?? '#{port}',
    host: c.str('Host') ?? '#{host}',
    path: c.str('Path') ?? '/#{path}',
    query: c.str('Query') ?? '#{query}',
    statusCode,
  };
  if (!/^(HTTPS?|#\{protocol\})$/i.test(cfg.protocol)) throw invalidAction(`The redirect protocol '${cfg.protocol}' is not valid; use HTTP, HTTPS or #{protocol}`);
  if (cfg.port !== '#{port}' && !(Number.isInteger(Number(cfg.port)) && Number(cfg.port) >= 1 && Number(cfg.port) <= 65535)) {
    throw invalidAction(`The redirect port '${cfg.port}' is not valid`);
  }
  if (!cfg.path.startsWith('/')) throw invalidAction(`The redirect path '${cfg.path}' must start with a '/'`);
  // "You cannot redirect to the same location": with every part kept, the redirect would loop.
  if (cfg.protocol === '#{protocol}' && cfg.port === '#{port}' && cfg.host === '#{host}' && cfg.path === '/#{path}' && cfg.query === '#{query}') {
    throw invalidAction('The redirect configuration is not valid: it redirects to the same location');
  }
  return { type: 'redirect', ...(order !== undefined ? { order } : {}), redirect: cfg };
}

function fixedResponse(a: Params, order: number | undefined): ListenerAction {
  const c = a.struct('FixedResponseConfig');
  if (!c) throw validationError('A fixed-response configuration must be specified for a fixed-response action');
  const statusCode = c.required('StatusCode');
  if (!/^(2|4|5)\d\d$/.test(statusCode)) throw constraintError(statusCode, 'fixedResponseConfig.statusCode', 'Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$');
  const contentType = c.str('ContentType');
  if (contentType !== undefined && !CONTENT_TYPES.includes(contentType)) throw invalidAction(`The content type '${contentType}' is not valid; use one of ${CONTENT_TYPES.join(', ')}`);
  const messageBody = c.str('MessageBody');
  if (messageBody !== undefined && messageBody.length > 1024)
    throw constraintError(`${messageBody.slice(0, 20)}…`, 'fixedResponseConfig.messageBody', 'Member must have length less than or equal to 1024');
  return {
    type: 'fixed-response',
    ...(order !== undefined ? { order } : {}),
    fixedResponse: { statusCode, ...(contentType !== undefined ? { contentType } : {}), ...(messageBody !== undefined ? { messageBody } : {}) },
  };
}

const OIDC_REQUIRED = ['Issuer', 'AuthorizationEndpoint', 'TokenEndpoint', 'UserInfoEndpoint', 'ClientId'];
const COGNITO_REQUIRED = ['UserPoolArn', 'UserPoolClientId', 'UserPoolDomain'];

/**
 * authenticate-oidc / authenticate-cognito ("Authenticate users using an Application Load Balancer":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html):
 * HTTPS listeners only; the session cookie defaults to AWSELBAuthSessionCookie; OnUnauthenticatedRequest
 * deny | allow | authenticate (the default).
 */
function authenticate(a: Params, type: 'authenticate-oidc' | 'authenticate-cognito', order: number | undefined, https: boolean): ListenerAction {
  if (!https) throw invalidAction(`Action type '${type}' can be used only with HTTPS listeners`);
  const prefix = type === 'authenticate-oidc' ? 'AuthenticateOidcConfig' : 'AuthenticateCognitoConfig';
  const c = a.struct(prefix);
  if (!c) throw validationError(`An ${prefix} must be specified for an ${type} action`);
  const fields: Record<string, string> = {};
  const extraParams: Record<string, string> = {};
  for (const [k, v] of c.raw) {
    const extra = /^AuthenticationRequestExtraParams\.entry\.(\d+)\.key$/.exec(k);
    if (extra) extraParams[v] = c.str(`AuthenticationRequestExtraParams.entry.${extra[1]}.value`) ?? '';
    else if (!k.startsWith('AuthenticationRequestExtraParams.')) fields[k] = v;
  }
  for (const f of type === 'authenticate-oidc' ? OIDC_REQUIRED : COGNITO_REQUIRED) if (!fields[f]) throw validationError(`${prefix}.${f} must be specified`);
  if (type === 'authenticate-oidc' && !fields.ClientSecret && fields.UseExistingClientSecret !== 'true') throw validationError(`${prefix}.ClientSecret must be specified`);
  const on = fields.OnUnauthenticatedRequest ?? 'authenticate';
  if (on !== 'deny' && on !== 'allow' && on !== 'authenticate') {
    throw constraintError(on, `${prefix.charAt(0).toLowerCase()}${prefix.slice(1)}.onUnauthenticatedRequest`, 'Member must satisfy enum value set: [deny, allow, authenticate]');
  }
  return {
    type,
    ...(order !== undefined ? { order } : {}),
    authenticate: { fields, extraParams, onUnauthenticatedRequest: on, sessionCookieName: fields.SessionCookieName ?? 'AWSELBAuthSessionCookie' },
  };
}

/**
 * The actions under `prefix` (`Actions.member` / `DefaultActions.member`), in the order they run: at most
 * one authenticate-oidc/-cognito action (HTTPS listeners only), then exactly one routing action.
 */
export function readActions(p: Params, prefix: string, lb: LoadBalancer, ctx: ApiContext, https: boolean): ListenerAction[] {
  const raw = p.structs(prefix);
  if (!raw.length) throw new ApiError('MissingParameter', `The request must contain the parameter ${prefix.split('.')[0]}`);
  const actions = raw.map((a, i) => {
    const type = a.required('Type');
    const order = intIn(a.str('Order'), `actions.${i + 1}.member.order`, 1, 50000);
    if (type === 'forward') return forward(a, lb, ctx, order);
    if (type === 'redirect') return redirect(a, order);
    if (type === 'fixed-response') return fixedResponse(a, order);
    if (type === 'authenticate-oidc' || type === 'authenticate-cognito') return authenticate(a, type, order, https);
    throw constraintError(type, `actions.${i + 1}.member.type`, 'Member must satisfy enum value set: [forward, authenticate-oidc, authenticate-cognito, redirect, fixed-response]');
  });
  // "Each rule must include exactly one of the following routing actions: forward, redirect, or
  // fixed-response, and it must be the last action to be performed"; an authentication action may precede it.
  const ordered = actions.map((a, i) => ({ a, key: a.order ?? i + 1 })).sort((x, y) => x.key - y.key);
  if (new Set(ordered.map((x) => x.key)).size !== ordered.length) throw invalidAction('Each action of a rule must have a different order');
  const routing = ordered.filter((x) => !x.a.type.startsWith('authenticate-'));
  if (routing.length !== 1) throw new ApiError('TooManyActions', 'A rule must have exactly one forward, redirect or fixed-response action');
  if (ordered.at(-1)!.a !== routing[0]!.a) throw invalidAction('The forward, redirect or fixed-response action must be the last action');
  if (ordered.length > 2) throw new ApiError('TooManyActions', 'A rule can have at most one authentication action before its routing action');
  return ordered.map((x) => x.a);
}

const SINGLE_FIELDS: RuleConditionField[] = ['host-header', 'path-pattern', 'http-request-method', 'source-ip'];
const FIELDS: RuleConditionField[] = ['host-header', 'path-pattern', 'http-header', 'query-string', 'http-request-method', 'source-ip'];
const CONFIG_OF: Record<RuleConditionField, string> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'query-string': 'QueryStringConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'source-ip': 'SourceIpConfig',
};

/** "You can specify up to three match evaluations per condition" and "up to five match evaluations per rule". */
const MAX_PER_CONDITION = 3;
const MAX_PER_RULE = 5;

function checkValue(field: RuleConditionField, v: string): void {
  const bad = (why: string) => validationError(`Condition value '${v}' for field '${field}' is not valid: ${why}`);
  if (v.length === 0 || v.length > 128) throw bad('it must be 1 to 128 characters long');
  if (field === 'host-header' && !/^[A-Za-z0-9\-.*?]+$/.test(v)) throw bad('host names may contain A–Z, a–z, 0–9, - . * ?');
  if (field === 'http-request-method' && !/^[A-Z_-]+$/.test(v)) throw bad('methods may contain A–Z, - and _');
  if (field === 'source-ip' && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(v) && !/^[0-9a-fA-F:]+\/\d{1,3}$/.test(v)) throw bad('it must be a CIDR block');
}

export function readConditions(p: Params): RuleCondition[] {
  const conditions = p.structs('Conditions.member').map((c, i): RuleCondition => {
    const field = c.required('Field') as RuleConditionField;
    if (!FIELDS.includes(field)) throw constraintError(field, `conditions.${i + 1}.member.field`, `Member must satisfy enum value set: [${FIELDS.join(', ')}]`);
    const legacy = c.members('Values');
    const cfg = c.struct(CONFIG_OF[field]);
    if (legacy.length && cfg) throw validationError(`You cannot specify both 'Values' and '${CONFIG_OF[field]}' in a '${field}' condition`);
    if (legacy.length && field !== 'host-header' && field !== 'path-pattern') throw validationError(`A '${field}' condition must use '${CONFIG_OF[field]}'`);
    let out: RuleCondition;
    if (field === 'query-string') {
      const pairs = (cfg?.structs('Values.member') ?? []).map((q) => ({ ...(q.str('Key') ? { key: q.str('Key')! } : {}), value: q.required('Value') }));
      out = { field, values: pairs.map((q) => (q.key ? `${q.key}=${q.value}` : q.value)), queryPairs: pairs };
    } else if (field === 'http-header') {
      const name = cfg?.required('HttpHeaderName');
      if (!name || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) throw validationError(`The HTTP header name '${name ?? ''}' is not valid`);
      out = { field, values: cfg!.members('Values'), httpHeaderName: name };
    } else {
      out = { field, values: legacy.length ? legacy : (cfg?.members('Values') ?? []), ...(legacy.length ? { legacyValues: true } : {}) };
      for (const v of out.values) checkValue(field, v);
    }
    if (!out.values.length) throw validationError(`A '${field}' condition must have at least one value`);
    if (out.values.length > MAX_PER_CONDITION) throw validationError(`A '${field}' condition can have at most ${MAX_PER_CONDITION} values`);
    return out;
  });
  for (const f of SINGLE_FIELDS) {
    if (conditions.filter((c) => c.field === f).length > 1) throw validationError(`A rule can have only one '${f}' condition`);
  }
  const total = conditions.reduce((n, c) => n + c.values.length, 0);
  if (total > MAX_PER_RULE) throw validationError(`A rule can only have '${MAX_PER_RULE}' condition values`);
  return conditions;
}

/** Target groups an action sends traffic to (weight 0 included: the group is still attached to the LB). */
export function targetGroupsOf(actions: ListenerAction[]): string[] {
  return actions.flatMap((a) => (a.type === 'forward' ? a.targetGroups.map((g) => g.targetGroupArn) : []));
}
