import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('sandbox STS', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox({ accountId: '210987654321' });
  });
  afterAll(() => sb.close());

  it('GetCallerIdentity answers with the configured account through the real SDK client', async () => {
    const out = await sb.sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe('210987654321');
    expect(out.Arn).toBe('arn:aws:iam::210987654321:user/chaos-sandbox');
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('answers an unknown action with an AWS-shaped InvalidAction error, not a crash', async () => {
    const res = await fetch(sb.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=NoSuchThing&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('<Type>Sender</Type>');
  });
});
