/**
 * The sandbox serves one region: a request signed for another region, or for another service than the one it
 * calls, is refused as AWS refuses it (403 SignatureDoesNotMatch), in each protocol's envelope, before
 * anything is touched.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('sandbox credential scope', () => {
  let sb: TestSandbox;
  let wrong: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client; sts: STSClient };
  beforeAll(async () => {
    sb = await startTestSandbox();
    const cfg = { ...clientConfig(sb.endpoint), region: 'eu-west-1' };
    wrong = { ec2: new EC2Client(cfg), asg: new AutoScalingClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg), sts: new STSClient(cfg) };
  });
  afterAll(async () => {
    for (const c of Object.values(wrong)) c.destroy();
    await sb.close();
  });

  it('refuses a call signed for another region on every service, with the region named', async () => {
    const calls: [string, Promise<unknown>][] = [
      ['ec2', wrong.ec2.send(new DescribeVpcsCommand({}))],
      ['autoscaling', wrong.asg.send(new DescribeAutoScalingGroupsCommand({}))],
      ['elbv2', wrong.elb.send(new DescribeLoadBalancersCommand({}))],
      ['sts', wrong.sts.send(new GetCallerIdentityCommand({}))],
    ];
    for (const [name, p] of calls) {
      const err = await expectAwsError(p, 'SignatureDoesNotMatch', 403);
      expect(err.message, name).toBe("Credential should be scoped to a valid region, not 'eu-west-1'.");
    }
  });

  it('changes nothing: a mutating call signed for another region creates no resource', async () => {
    const before = (await sb.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0;
    await expectAwsError(wrong.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })), 'SignatureDoesNotMatch', 403);
    expect((await sb.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0).toBe(before);
  });

  it('the right region still works (the check is not a blanket refusal)', async () => {
    const out = await sb.sts.send(new GetCallerIdentityCommand({}));
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('refuses a scope naming another service than the one the call speaks', async () => {
    const res = await fetch(sb.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIASANDBOXTEST00000/20261130/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: 'Action=DescribeAutoScalingGroups&Version=2011-01-01',
    });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain('<Type>Sender</Type><Code>SignatureDoesNotMatch</Code>');
    expect(text).toContain('Credential should be scoped to correct service: &apos;autoscaling&apos;.');
  });

  it('a sandbox started for another region serves that region and refuses us-east-1', async () => {
    const eu = await startTestSandbox({ region: 'eu-west-1' });
    const euClient = new EC2Client({ ...clientConfig(eu.endpoint), region: 'eu-west-1' });
    try {
      const out = await euClient.send(new DescribeVpcsCommand({}));
      expect(out.$metadata.httpStatusCode).toBe(200);
      const err = await expectAwsError(eu.ec2.send(new DescribeVpcsCommand({})), 'SignatureDoesNotMatch', 403);
      expect(err.message).toContain("not 'us-east-1'");
    } finally {
      euClient.destroy();
      await eu.close();
    }
  });
});
