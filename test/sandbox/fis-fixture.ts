/**
 * What the FIS sandbox tests share: the real FIS client (src/aws/fis.ts) pointed at a sandbox, ARNs of the
 * sandbox's resources, template bodies, and waits on the ground-truth events FIS emits.
 */
import { FisClient, type CreateExperimentTemplateInput } from '../../src/aws/fis.js';
import { fisRoleArn, type SandboxContext, type SandboxEvent } from '../../src/sandbox/index.js';
import { TEST_CREDENTIALS, waitForWorldEvent, type TestSandbox } from '../helpers/sandbox.js';

/** One attempt: a sandbox answer must show as it is, not be retried away. */
export function fisClient(sb: TestSandbox): FisClient {
  return new FisClient({ endpoint: sb.endpoint, region: 'us-east-1', credentials: () => Promise.resolve(TEST_CREDENTIALS), maxAttempts: 1, requestTimeoutMs: 5_000 });
}

export const instanceArn = (ctx: SandboxContext, id: string) => `arn:aws:ec2:${ctx.world.region}:${ctx.world.accountId}:instance/${id}`;
export const subnetArn = (ctx: SandboxContext, id: string) => `arn:aws:ec2:${ctx.world.region}:${ctx.world.accountId}:subnet/${id}`;
export const alarmArn = (ctx: SandboxContext, name: string) => `arn:aws:cloudwatch:${ctx.world.region}:${ctx.world.accountId}:alarm:${name}`;

/** A template with one action on one target; `over` replaces any part of it. */
export function template(
  ctx: SandboxContext,
  kind: 'terminate' | 'stop' | 'disrupt',
  arns: string[],
  over: Partial<CreateExperimentTemplateInput> = {},
  parameters: Record<string, string> = {},
): CreateExperimentTemplateInput {
  const actionId = { terminate: 'aws:ec2:terminate-instances', stop: 'aws:ec2:stop-instances', disrupt: 'aws:network:disrupt-connectivity' }[kind];
  const key = kind === 'disrupt' ? 'Subnets' : 'Instances';
  return {
    description: `sandbox ${kind}`,
    roleArn: fisRoleArn(ctx.world.accountId),
    stopConditions: [{ source: 'none' }],
    targets: { T1: { resourceType: kind === 'disrupt' ? 'aws:ec2:subnet' : 'aws:ec2:instance', resourceArns: arns, selectionMode: 'ALL' } },
    actions: { A1: { actionId, parameters, targets: { [key]: 'T1' } } },
    tags: { 'chaos-ec2:experiment-id': 'test' },
    ...over,
  };
}

/** The experiment's state events, in order. */
export function experimentStates(sb: TestSandbox, id: string): string[] {
  return sb.world
    .events()
    .filter((e): e is Extract<SandboxEvent, { type: 'fis-experiment' }> => e.type === 'fis-experiment' && e.experimentId === id)
    .map((e) => e.status);
}

export function waitForExperiment(sb: TestSandbox, id: string, status: string, timeoutMs = 10_000): Promise<SandboxEvent> {
  return waitForWorldEvent(sb.world, (e) => e.type === 'fis-experiment' && e.experimentId === id && e.status === status, timeoutMs);
}

/** A VPC with a default allow-all NACL and two subnets (two AZs), written into the World. */
export function network(ctx: SandboxContext): { vpcId: string; naclId: string; subnets: string[] } {
  const { world } = ctx;
  const vpcId = world.newId('vpc');
  world.vpcs.set(vpcId, { vpcId, cidrBlock: '10.0.0.0/16', isDefault: false });
  const naclId = world.newId('acl');
  const all = (ruleNumber: number, ruleAction: 'allow' | 'deny', egress: boolean) => ({ ruleNumber, protocol: '-1', ruleAction, egress, cidrBlock: '0.0.0.0/0' });
  world.networkAcls.set(naclId, {
    networkAclId: naclId,
    vpcId,
    isDefault: true,
    entries: [all(100, 'allow', false), all(100, 'allow', true), all(32767, 'deny', false), all(32767, 'deny', true)],
  });
  const subnets = world.zones.slice(0, 2).map((z, i) => {
    const subnetId = world.newId('subnet');
    world.subnets.set(subnetId, { subnetId, vpcId, cidrBlock: `10.0.${i + 1}.0/24`, availabilityZone: z.zoneName, availabilityZoneId: z.zoneId, nextHost: 4 });
    world.associateNacl(subnetId, naclId);
    return subnetId;
  });
  return { vpcId, naclId, subnets };
}

/** A running instance outside any group (so nothing replaces it while a test watches it). */
export async function runningInstance(sb: TestSandbox, subnetId: string): Promise<string> {
  const inst = sb.ctx.lifecycle.launch({ subnetId, imageId: 'ami-0abcdef1234567890', instanceType: 't3.micro' });
  await waitForWorldEvent(sb.world, (e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'running');
  return inst.instanceId;
}
