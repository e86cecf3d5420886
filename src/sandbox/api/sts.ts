/**
 * STS (awsQuery, 2011-06-15): GetCallerIdentity, which chaos-ec2 uses to show the account in every plan, and
 * AssumeRole, so a profile with `role_arn` (and `mfa_serial`) can be exercised as users configure it.
 * Any credentials are accepted; the identity is the sandbox's fixed account.
 */
import type { ServiceDef, Handler } from './router.js';
import { ApiError, validationError } from './errors.js';
import { el, node } from './xml.js';

/**
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html — DurationSeconds 900–43200
 * (default 3600); RoleSessionName 2–64 of [\w+=,.@-]; a TokenCode is 6 digits and needs its SerialNumber;
 * a SerialNumber sent without a TokenCode is the "MFA required" case, which AWS answers AccessDenied. The
 * role's own maximum session duration and trust policy are not modelled: every role may be assumed.
 */
const assumeRole: Handler = (p, ctx) => {
  const roleArn = p.required('RoleArn');
  const session = p.required('RoleSessionName');
  if (!/^[\w+=,.@-]{2,64}$/.test(session)) throw validationError(`1 validation error detected: Value '${session}' at 'roleSessionName' failed to satisfy constraint`);
  const duration = p.int('DurationSeconds', { min: 900, max: 43_200 }) ?? 3600;
  const serial = p.str('SerialNumber');
  const code = p.str('TokenCode');
  if (code !== undefined && !/^\d{6}$/.test(code))
    throw validationError(`1 validation error detected: Value '${code}' at 'tokenCode' failed to satisfy constraint: Member must have length 6`);
  if (code !== undefined && serial === undefined) throw validationError('TokenCode requires SerialNumber');
  if (serial !== undefined && code === undefined) throw new ApiError('AccessDenied', `MultiFactorAuthentication failed: no MFA token code for ${serial}`, 403);
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1] ?? 'role';
  const id = ctx.requestId.replace(/-/g, '').slice(0, 16).toUpperCase();
  return (
    node(
      'Credentials',
      el('AccessKeyId', `ASIA${id}`),
      el('SecretAccessKey', `sandbox-${id}`),
      el('SessionToken', `sandbox-session-${id}`),
      el('Expiration', new Date(ctx.world.now() + duration * 1000).toISOString()),
    ) + node('AssumedRoleUser', el('Arn', `arn:aws:sts::${ctx.world.accountId}:assumed-role/${role}/${session}`), el('AssumedRoleId', `AROA${id}:${session}`))
  );
};

export const STS_SERVICE: ServiceDef = {
  signingName: 'sts',
  version: '2011-06-15',
  protocol: 'query',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {
    GetCallerIdentity: (_p, ctx) => el('Arn', `arn:aws:iam::${ctx.world.accountId}:user/chaos-sandbox`) + el('UserId', 'AIDACHAOSSANDBOX00001') + el('Account', ctx.world.accountId),
    AssumeRole: assumeRole,
  },
};
