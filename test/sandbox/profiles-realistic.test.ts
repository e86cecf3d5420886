import { CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, DescribeTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSandbox } from '../../src/sandbox/index.js';
import { PROFILES } from '../../src/sandbox/profiles.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The realistic profile answers with AWS's documented defaults (AWS-BEHAVIOUR.md, "Real timings"): a target
 * group created without health-check settings checks every 30 s with timeout 5 s, healthy threshold 5,
 * unhealthy threshold 2, deregistration delay 300 s ("Health checks for Application Load Balancer target
 * groups", "Target group attributes", ELB user guide); the console's grace period is 300 s.
 */
describe('sandbox realistic profile: AWS defaults', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox({ profile: 'realistic' });
  });
  afterAll(() => sb.close());

  it('creates target groups with AWS default health checks and deregistration delay', async () => {
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const tg = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'defaults', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!;
    expect(tg).toMatchObject({ HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 5, UnhealthyThresholdCount: 2 });
    const attrs = (await sb.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }))).Attributes!;
    expect(attrs).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
  });

  it("gives the embedded sample stack's group the profile's grace period (realistic: the console's 300 s)", async () => {
    expect(PROFILES.realistic.gracePeriodSeconds).toBe(300);
    // Booting a realistic stack takes minutes; the fast profile with the grace period overridden shows the wiring.
    const emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', timings: { gracePeriodSeconds: 7 }, stack: { instances: 1, azs: 2 } });
    try {
      const g = emb.sandbox.world.asgs.get(emb.stack.asgName)!;
      expect(g.healthCheckGracePeriod).toBe(7);
    } finally {
      await emb.close();
    }
  });
});
