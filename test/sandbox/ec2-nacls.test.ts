import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkAclCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  paginateDescribeNetworkAcls,
  ReplaceNetworkAclAssociationCommand,
  ReplaceNetworkAclEntryCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

describe('sandbox EC2 network ACLs', () => {
  let sb: TestSandbox;
  let vpcId: string;
  let otherVpcId: string;
  let subnetId: string;

  const naclOfSubnet = async (id: string) => {
    const out = await sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [id] }] }));
    expect(out.NetworkAcls).toHaveLength(1);
    const acl = out.NetworkAcls![0]!;
    return { acl, association: acl.Associations!.find((a) => a.SubnetId === id)! };
  };

  beforeAll(async () => {
    sb = await startTestSandbox();
    vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    otherVpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const subnet = await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }));
    subnetId = subnet.Subnet!.SubnetId!;
  });
  afterAll(() => sb.close());

  it('CreateVpc makes an allow-all default NACL that CreateSubnet associates (with ground-truth events)', async () => {
    const { acl, association } = await naclOfSubnet(subnetId);
    expect(acl.IsDefault).toBe(true);
    expect(acl.VpcId).toBe(vpcId);
    expect(acl.OwnerId).toBe(sb.world.accountId);
    expect(acl.Entries!.map((e) => [e.Egress, e.RuleNumber, e.RuleAction, e.Protocol, e.CidrBlock])).toEqual([
      [true, 100, 'allow', '-1', '0.0.0.0/0'],
      [true, 32767, 'deny', '-1', '0.0.0.0/0'],
      [false, 100, 'allow', '-1', '0.0.0.0/0'],
      [false, 32767, 'deny', '-1', '0.0.0.0/0'],
    ]);
    expect(association.NetworkAclAssociationId).toMatch(/^aclassoc-[0-9a-f]{17}$/);
    expect(association.NetworkAclId).toBe(acl.NetworkAclId);
    await sb.waitForEvent((e) => e.type === 'nacl-created' && e.networkAclId === acl.NetworkAclId && e.vpcId === vpcId, 1000);
    await sb.waitForEvent((e) => e.type === 'nacl-association' && e.subnetId === subnetId && e.fromNetworkAclId === null && e.toNetworkAclId === acl.NetworkAclId, 1000);
    const defaults = await sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }));
    expect(defaults.NetworkAcls!.map((a) => a.VpcId).sort()).toEqual([vpcId, otherVpcId].sort());
  });

  it('CreateNetworkAcl applies TagSpecification tags atomically and starts with only the deny-all rules', async () => {
    const out = await sb.ec2.send(
      new CreateNetworkAclCommand({
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: 'chaos-ec2:experiment', Value: 'exp-1' }] }],
      }),
    );
    const acl = out.NetworkAcl!;
    expect(acl.IsDefault).toBe(false);
    expect(acl.Associations).toEqual([]);
    expect(acl.Tags).toEqual([{ Key: 'chaos-ec2:experiment', Value: 'exp-1' }]);
    expect(acl.Entries!.map((e) => [e.Egress, e.RuleNumber, e.RuleAction])).toEqual([
      [true, 32767, 'deny'],
      [false, 32767, 'deny'],
    ]);
    const byTag = await sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag:chaos-ec2:experiment', Values: ['exp-*'] }] }));
    expect(byTag.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual([acl.NetworkAclId]);
    const byKey = await sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag-key', Values: ['chaos-ec2:*'] }] }));
    expect(byKey.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual([acl.NetworkAclId]);
    await sb.waitForEvent((e) => e.type === 'nacl-created' && e.networkAclId === acl.NetworkAclId, 1000);

    await expectAwsError(
      sb.ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue',
    );
    await expectAwsError(sb.ec2.send(new CreateNetworkAclCommand({ VpcId: 'vpc-0123456789abcdef0' })), 'InvalidVpcID.NotFound');
  });

  it('creates, rejects duplicate, replaces and deletes entries, emitting nacl-entry events', async () => {
    const aclId = (await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
    const entry = { NetworkAclId: aclId, RuleNumber: 100, Protocol: '6', RuleAction: 'allow' as const, Egress: false, CidrBlock: '10.0.0.0/16', PortRange: { From: 80, To: 8080 } };
    await sb.ec2.send(new CreateNetworkAclEntryCommand(entry));
    await sb.waitForEvent((e) => e.type === 'nacl-entry' && e.networkAclId === aclId && e.change === 'created' && e.ruleNumber === 100, 1000);
    const err = await expectAwsError(sb.ec2.send(new CreateNetworkAclEntryCommand(entry)), 'NetworkAclEntryAlreadyExists');
    expect(err.message).toContain('100');
    // The same number in the other direction is a different entry.
    await sb.ec2.send(new CreateNetworkAclEntryCommand({ ...entry, Egress: true }));

    await sb.ec2.send(new ReplaceNetworkAclEntryCommand({ ...entry, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0', PortRange: undefined }));
    let acl = (await sb.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))).NetworkAcls![0]!;
    expect(acl.Entries!.find((e) => e.RuleNumber === 100 && !e.Egress)).toEqual({
      RuleNumber: 100,
      Protocol: '-1',
      RuleAction: 'deny',
      Egress: false,
      CidrBlock: '0.0.0.0/0',
    });
    expect(acl.Entries!.find((e) => e.RuleNumber === 100 && e.Egress)!.PortRange).toEqual({ From: 80, To: 8080 });

    await sb.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: true }));
    acl = (await sb.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))).NetworkAcls![0]!;
    expect(acl.Entries!.map((e) => `${e.Egress ? 'out' : 'in'}:${e.RuleNumber}`)).toEqual(['out:32767', 'in:100', 'in:32767']);
    await sb.waitForEvent((e) => e.type === 'nacl-entry' && e.networkAclId === aclId && e.change === 'deleted' && e.egress, 1000);
    await sb.waitForEvent((e) => e.type === 'nacl-entry' && e.networkAclId === aclId && e.change === 'replaced', 1000);

    await expectAwsError(sb.ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: true })), 'InvalidNetworkAclEntry.NotFound');
    await expectAwsError(sb.ec2.send(new ReplaceNetworkAclEntryCommand({ ...entry, RuleNumber: 7 })), 'InvalidNetworkAclEntry.NotFound');
    await expectAwsError(sb.ec2.send(new CreateNetworkAclEntryCommand({ ...entry, RuleNumber: 32767 })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new CreateNetworkAclEntryCommand({ ...entry, RuleNumber: 5, PortRange: undefined })), 'MissingParameter');
    await expectAwsError(sb.ec2.send(new CreateNetworkAclEntryCommand({ ...entry, RuleNumber: 5, CidrBlock: '10.0.0.0/33' })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new CreateNetworkAclEntryCommand({ ...entry, NetworkAclId: 'acl-0123456789abcdef0' })), 'InvalidNetworkAclID.NotFound');
  });

  it('ReplaceNetworkAclAssociation takes the current association id and answers a new one', async () => {
    const { acl: original, association } = await naclOfSubnet(subnetId);
    const blackhole = (await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;

    const swapped = await sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: association.NetworkAclAssociationId, NetworkAclId: blackhole }));
    const newId = swapped.NewAssociationId!;
    expect(newId).toMatch(/^aclassoc-/);
    expect(newId).not.toBe(association.NetworkAclAssociationId);
    const ev = await sb.waitForEvent((e) => e.type === 'nacl-association' && e.associationId === newId, 1000);
    expect(ev).toMatchObject({ subnetId, fromNetworkAclId: original.NetworkAclId, toNetworkAclId: blackhole });
    const now = await naclOfSubnet(subnetId);
    expect(now.acl.NetworkAclId).toBe(blackhole);
    expect(now.association.NetworkAclAssociationId).toBe(newId);
    const byAssoc = await sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.association-id', Values: [newId] }] }));
    expect(byAssoc.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual([blackhole]);

    // The pre-swap id is stale now: a rollback has to look the current one up.
    await expectAwsError(
      sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: association.NetworkAclAssociationId, NetworkAclId: original.NetworkAclId })),
      'InvalidAssociationID.NotFound',
    );
    const foreign = (await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: otherVpcId }))).NetworkAcl!.NetworkAclId!;
    await expectAwsError(sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: newId, NetworkAclId: foreign })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: newId, NetworkAclId: 'acl-0123456789abcdef0' })), 'InvalidNetworkAclID.NotFound');

    const err = await expectAwsError(sb.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: blackhole })), 'DependencyViolation');
    expect(err.message).toBe(`The networkAcl '${blackhole}' has dependencies and cannot be deleted.`);
    await sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: newId, NetworkAclId: original.NetworkAclId }));
    await sb.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: blackhole }));
    await sb.waitForEvent((e) => e.type === 'nacl-deleted' && e.networkAclId === blackhole, 1000);
    await expectAwsError(sb.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [blackhole] })), 'InvalidNetworkAclID.NotFound');
    await expectAwsError(sb.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: blackhole })), 'InvalidNetworkAclID.NotFound');
    await expectAwsError(sb.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: original.NetworkAclId! })), 'InvalidParameterValue');
  });

  it('DryRun answers DryRunOperation (412) after validation and changes nothing', async () => {
    const naclsBefore = sb.world.networkAcls.size;
    const seqBefore = sb.world.events().at(-1)!.seq;
    await expectAwsError(sb.ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId, DryRun: true })), 'DryRunOperation', 412);
    expect(sb.world.networkAcls.size).toBe(naclsBefore);

    const { acl, association } = await naclOfSubnet(subnetId);
    const target = (await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
    const seqAfterCreate = sb.world.events().at(-1)!.seq;
    expect(seqAfterCreate).toBeGreaterThan(seqBefore);
    await expectAwsError(
      sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: association.NetworkAclAssociationId, NetworkAclId: target, DryRun: true })),
      'DryRunOperation',
      412,
    );
    await expectAwsError(
      sb.ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: target, RuleNumber: 1, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', DryRun: true })),
      'DryRunOperation',
      412,
    );
    await expectAwsError(sb.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: target, DryRun: true })), 'DryRunOperation', 412);
    // Validation comes first: an unknown association is reported even with DryRun.
    await expectAwsError(
      sb.ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: 'aclassoc-0123456789abcdef0', NetworkAclId: target, DryRun: true })),
      'InvalidAssociationID.NotFound',
    );
    expect(sb.world.events().at(-1)!.seq).toBe(seqAfterCreate);
    const after = await naclOfSubnet(subnetId);
    expect(after.acl.NetworkAclId).toBe(acl.NetworkAclId);
    expect(after.association.NetworkAclAssociationId).toBe(association.NetworkAclAssociationId);
    expect(sb.world.networkAcls.get(target)!.entries).toHaveLength(2);
  });

  it('pages with MaxResults/NextToken through paginateDescribeNetworkAcls', async () => {
    const pvpc = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
    const created: string[] = [];
    for (let i = 0; i < 11; i++) created.push((await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: pvpc }))).NetworkAcl!.NetworkAclId!);
    const pages: string[][] = [];
    for await (const pg of paginateDescribeNetworkAcls({ client: sb.ec2, pageSize: 5 }, { Filters: [{ Name: 'vpc-id', Values: [pvpc] }] })) {
      pages.push(pg.NetworkAcls!.map((a) => a.NetworkAclId!));
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]); // 11 custom + the VPC's default
    const dflt = await sb.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [pvpc] },
          { Name: 'default', Values: ['true'] },
        ],
      }),
    );
    expect(new Set(pages.flat())).toEqual(new Set([...created, dflt.NetworkAcls![0]!.NetworkAclId!]));
    await expectAwsError(sb.ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 4 })), 'InvalidParameterValue');
    await expectAwsError(sb.ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 5, NextToken: 'garbage' })), 'InvalidPaginationToken');
    await expectAwsError(sb.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })), 'InvalidParameterValue');
  });

  it('resumes a page token after its last item even when that item was deleted in between', async () => {
    const vpc = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.51.0.0/16' }))).Vpc!.VpcId!;
    for (let i = 0; i < 7; i++) await sb.ec2.send(new CreateNetworkAclCommand({ VpcId: vpc }));
    const filter = { Filters: [{ Name: 'vpc-id', Values: [vpc] }] };
    const all = (await sb.ec2.send(new DescribeNetworkAclsCommand(filter))).NetworkAcls!.map((a) => a.NetworkAclId!);
    expect(all).toHaveLength(8); // the default one first, then the 7 in creation order
    const page1 = await sb.ec2.send(new DescribeNetworkAclsCommand({ ...filter, MaxResults: 5 }));
    expect(page1.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual(all.slice(0, 5));
    // A position token would now skip all[5]; a key token resumes right after the deleted all[4].
    await sb.ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: all[4]! }));
    const page2 = await sb.ec2.send(new DescribeNetworkAclsCommand({ ...filter, MaxResults: 5, NextToken: page1.NextToken! }));
    expect(page2.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual(all.slice(5));
    expect(page2.NextToken).toBeUndefined();
  });
});
