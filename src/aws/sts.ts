import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { call } from './errors.js';

export interface Identity {
  account: string;
  arn: string;
}

/** Who we are: every plan shows the account, so nobody injects into the wrong one. */
export async function whoAmI(sts: STSClient): Promise<Identity> {
  const out = await call('GetCallerIdentity', { phase: 'discover' }, () => sts.send(new GetCallerIdentityCommand({})));
  return { account: out.Account ?? 'unknown', arn: out.Arn ?? 'unknown' };
}
