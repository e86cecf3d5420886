import { describe, expect, it } from 'vitest';
import { buildPolicy, iamPolicyCommand, parsePolicyFaults } from '../../src/cli/commands/iam-policy.js';

type Statement = { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> };
const actions = (p: { Statement: Statement[] }): string[] => p.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
const stmt = (p: { Statement: Statement[] }, action: string): Statement[] => p.Statement.filter((s) => ([] as string[]).concat(s.Action).includes(action));

async function printed(opts: { faults?: string; asg?: string; reportDir?: string }): Promise<{ Version: string; Statement: Statement[] }> {
  let text = '';
  const out = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
  expect(await iamPolicyCommand(opts, out)).toBe(0);
  return JSON.parse(text) as { Version: string; Statement: Statement[] }; // valid JSON or this throws
}

describe('iam-policy', () => {
  it('terminate-instances: read actions + TerminateInstances/CreateTags only on Auto Scaling instances', async () => {
    const p = await printed({ faults: 'terminate-instances' });
    expect(p.Version).toBe('2012-10-17');
    expect(actions(p).sort()).toEqual(
      [
        'autoscaling:Describe*',
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:DeleteTags',
        'ec2:CreateTags',
        'ec2:Describe*',
        'ec2:TerminateInstances',
        'elasticloadbalancing:Describe*',
        'sts:GetCallerIdentity',
      ].sort(),
    );
    for (const a of ['ec2:TerminateInstances', 'ec2:CreateTags']) {
      const [s] = stmt(p, a);
      expect(s!.Resource).toBe('arn:aws:ec2:*:*:instance/*');
      expect(s!.Condition).toMatchObject({ Null: { 'aws:ResourceTag/aws:autoscaling:groupName': 'false' } });
    }
    expect(actions(p)).not.toContain('ec2:CreateNetworkAcl');
  });

  it('blackhole-az: NACL actions conditioned on the experiment tag where AWS supports it; restore unconditioned', async () => {
    const p = await printed({ faults: 'blackhole-az' });
    expect(new Set(actions(p))).toEqual(
      new Set([
        'autoscaling:Describe*',
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:DeleteTags',
        'elasticloadbalancing:Describe*',
        'ec2:Describe*',
        'sts:GetCallerIdentity',
        'ec2:CreateNetworkAcl',
        'ec2:CreateTags',
        'ec2:ReplaceNetworkAclAssociation',
        'ec2:DeleteNetworkAcl',
      ]),
    );
    expect(actions(p)).not.toContain('ec2:TerminateInstances');
    const create = stmt(p, 'ec2:CreateNetworkAcl');
    expect(create.find((s) => s.Resource === 'arn:aws:ec2:*:*:network-acl/*')!.Condition).toMatchObject({ Null: { 'aws:RequestTag/chaos-ec2:experiment-id': 'false' } });
    expect(stmt(p, 'ec2:CreateTags')[0]!.Condition).toMatchObject({ StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' } });
    expect(stmt(p, 'ec2:DeleteNetworkAcl')[0]!.Condition).toMatchObject({ Null: { 'aws:ResourceTag/chaos-ec2:experiment-id': 'false' } });
    // The restore targets the original, untagged ACL: a tag condition here would block rollback.
    expect(stmt(p, 'ec2:ReplaceNetworkAclAssociation')[0]!.Condition).toBeUndefined();
  });

  it('stop-instances: StopInstances on group members, StartInstances only on tagged victims, kms:CreateGrant for AWS resources', async () => {
    const p = await printed({ faults: 'stop-instances', asg: 'web-asg' });
    expect(actions(p)).toEqual(expect.arrayContaining(['ec2:StopInstances', 'ec2:StartInstances', 'ec2:CreateTags', 'kms:CreateGrant']));
    expect(actions(p)).not.toContain('ec2:TerminateInstances');
    const inGroup = { StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': 'web-asg' } };
    expect(stmt(p, 'ec2:StopInstances')[0]!.Condition).toEqual(inGroup);
    // Both conditions hold at once: a member of the group AND tagged by chaos-ec2 as a victim.
    expect(stmt(p, 'ec2:StartInstances')[0]!.Condition).toEqual({ ...inGroup, Null: { 'aws:ResourceTag/chaos-ec2:experiment-id': 'false' } });
    expect(stmt(p, 'kms:CreateGrant')[0]!.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  it('every policy lets chaos-ec2 write and delete only its own lease tags on the group (one experiment per group)', async () => {
    for (const faults of ['terminate-instances', 'blackhole-az', 'stop-instances']) {
      const p = await printed({ faults, asg: 'web-asg' });
      const [lease] = stmt(p, 'autoscaling:CreateOrUpdateTags');
      expect(lease!.Action).toEqual(['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags']);
      expect(lease!.Resource).toBe('arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/web-asg');
      expect(lease!.Condition).toEqual({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['chaos-ec2:lease:*'] } });
    }
  });

  it('default: every fault; --asg pins terminate to one group; bad fault names are usage errors', async () => {
    const all = await printed({});
    expect(actions(all)).toEqual(expect.arrayContaining(['ec2:TerminateInstances', 'ec2:DeleteNetworkAcl']));
    const pinned = buildPolicy(['terminate-instances'], { asg: 'web-asg' });
    expect(stmt(pinned, 'ec2:TerminateInstances')[0]!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/aws:autoscaling:groupName': 'web-asg' } });
    expect(() => parsePolicyFaults('terminate-instances,reboot')).toThrow(/unknown fault reboot/);
    expect(new Set(all.Statement.map((s) => s.Sid)).size).toBe(all.Statement.length);
  });

  it('--report-dir s3://…: list the prefix, read and write its objects, nothing more; a non-S3 value is exit 2', async () => {
    const p = await printed({ faults: 'terminate-instances', reportDir: 's3://chaos-reports/team-a/' });
    expect(stmt(p, 's3:ListBucket')).toEqual([
      { Sid: 'ListTheReportStore', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::chaos-reports', Condition: { StringLike: { 's3:prefix': ['team-a/*', 'team-a'] } } },
    ]);
    expect(stmt(p, 's3:PutObject')[0]!.Resource).toBe('arn:aws:s3:::chaos-reports/team-a/*');
    expect(
      actions(p)
        .filter((a) => a.startsWith('s3:'))
        .sort(),
    ).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(actions(await printed({ faults: 'terminate-instances' })).some((a) => a.startsWith('s3:'))).toBe(false);
    await expect(iamPolicyCommand({ reportDir: './chaos-reports' })).rejects.toMatchObject({ exitCode: 2 });
  });
});
