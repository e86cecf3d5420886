/**
 * STS (awsQuery, 2011-06-15): GetCallerIdentity, which chaos-ec2 uses to show the account in every plan.
 * Any credentials are accepted; the identity is the sandbox's fixed account.
 */
import type { ServiceDef } from './router.js';
import { el } from './xml.js';

export const STS_SERVICE: ServiceDef = {
  signingName: 'sts',
  version: '2011-06-15',
  protocol: 'query',
  xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {
    GetCallerIdentity: (_p, ctx) => el('Arn', `arn:aws:iam::${ctx.world.accountId}:user/chaos-sandbox`) + el('UserId', 'AIDACHAOSSANDBOX00001') + el('Account', ctx.world.accountId),
  },
};
