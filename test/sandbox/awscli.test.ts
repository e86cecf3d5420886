/**
 * The sandbox driven by the real AWS CLI v2 (botocore's own serializers and parsers, not the JS SDK), so a
 * user can point `aws --endpoint-url` at `chaos-ec2 sandbox` and get what AWS would answer. `aws` on PATH
 * may be an old v1; v2 lives at /usr/bin/aws (CI installs it there).
 */
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli as runAwsCli, awsCliGate } from '../helpers/aws-cli.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

// Skipped without the CLI on a developer's machine; in CI a missing CLI fails every test below.
const cli = awsCliGate('awscli.test.ts');

describe.skipIf(!cli.run)('AWS CLI v2 against the sandbox', () => {
  let sb: TestSandbox;
  let subnetId: string;

  const awsCli = (args: string[]) => runAwsCli(sb.endpoint, args);

  const launchRunning = async () => {
    const inst = sb.ctx.lifecycle.launch({ subnetId, imageId: 'ami-0c0ffee0c0ffee000', instanceType: 't3.micro', asgName: 'demo-asg' });
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'running', 5000);
    return inst;
  };

  beforeAll(async () => {
    if (cli.missing) throw new Error(cli.missing);
    sb = await startTestSandbox({ timings: { bootMs: 100, shutdownMs: 100, stopMs: 100 } });
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  });
  afterAll(() => sb?.close());

  it('ec2 describe-network-acls filtered by association.subnet-id', async () => {
    const r = await awsCli(['ec2', 'describe-network-acls', '--filters', `Name=association.subnet-id,Values=${subnetId}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.NetworkAcls).toHaveLength(1);
    const acl = r.json.NetworkAcls[0];
    expect(acl.IsDefault).toBe(true);
    expect(acl.NetworkAclId).toBe(sb.world.naclOfSubnet(subnetId)!.networkAclId);
    expect(acl.Associations).toEqual([{ NetworkAclAssociationId: sb.world.naclAssociations.get(subnetId)!.associationId, NetworkAclId: acl.NetworkAclId, SubnetId: subnetId }]);
    expect(acl.Entries).toContainEqual({ CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 });
  });

  it('ec2 describe-instances shows a running instance with its group tag', async () => {
    const inst = await launchRunning();
    const r = await awsCli(['ec2', 'describe-instances', '--filters', 'Name=tag:aws:autoscaling:groupName,Values=demo-asg', 'Name=instance-state-name,Values=running']);
    expect(r.code).toBe(0);
    const instances = r.json.Reservations.flatMap((res: { Instances: unknown[] }) => res.Instances);
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({
      InstanceId: inst.instanceId,
      State: { Code: 16, Name: 'running' },
      SubnetId: subnetId,
      Placement: { AvailabilityZone: 'us-east-1a' },
      PrivateIpAddress: inst.privateIpAddress,
    });
  });

  it('ec2 terminate-instances: --dry-run exits 254 with DryRunOperation; the real call shuts the instance down', async () => {
    const inst = [...sb.world.instances.values()].find((i) => i.state === 'running') ?? (await launchRunning());
    // Each CLI start costs a second or more, so independent calls run side by side.
    const [dry, missing] = await Promise.all([
      awsCli(['ec2', 'terminate-instances', '--instance-ids', inst.instanceId, '--dry-run']),
      awsCli(['ec2', 'terminate-instances', '--instance-ids', 'i-0123456789abcdef0']),
    ]);
    expect(dry.code).toBe(254);
    expect(dry.stderr).toContain('DryRunOperation');
    expect(inst.state).toBe('running');
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain('InvalidInstanceID.NotFound');

    const r = await awsCli(['ec2', 'terminate-instances', '--instance-ids', inst.instanceId]);
    expect(r.code).toBe(0);
    expect(r.json.TerminatingInstances).toEqual([{ InstanceId: inst.instanceId, CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } }]);
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'terminated', 5000);
  });

  it('ec2 stop-instances: --dry-run exits 254 with DryRunOperation; the real call stops the instance', async () => {
    const inst = await launchRunning();
    const [dry, missing] = await Promise.all([
      awsCli(['ec2', 'stop-instances', '--instance-ids', inst.instanceId, '--dry-run']),
      awsCli(['ec2', 'start-instances', '--instance-ids', 'i-0123456789abcdef0']),
    ]);
    expect(dry.code).toBe(254);
    expect(dry.stderr).toContain('DryRunOperation');
    expect(inst.state).toBe('running');
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain('InvalidInstanceID.NotFound');

    const r = await awsCli(['ec2', 'stop-instances', '--instance-ids', inst.instanceId]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.StoppingInstances).toEqual([{ InstanceId: inst.instanceId, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } }]);
    await sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === inst.instanceId && e.to === 'stopped', 5000);
    const started = await awsCli(['ec2', 'start-instances', '--instance-ids', inst.instanceId]);
    expect(started.code).toBe(0);
    expect(started.json.StartingInstances).toEqual([{ InstanceId: inst.instanceId, CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } }]);
  });

  it('autoscaling describe-auto-scaling-groups and elbv2 describe-target-health', async () => {
    const vpcId = sb.world.subnets.get(subnetId)!.vpcId;
    const tgArn = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'cli-tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    const lt = await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'cli-lt', LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro' } }));
    // Desired 0: the group is only described here, so the reconciler has nothing to launch.
    await sb.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'cli-asg',
        LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
        MinSize: 0,
        MaxSize: 2,
        DesiredCapacity: 0,
        VPCZoneIdentifier: subnetId,
        HealthCheckType: 'ELB',
        TargetGroupARNs: [tgArn],
        Tags: [{ Key: 'chaos-ec2:opt-in', Value: 'true', PropagateAtLaunch: false }],
      }),
    );
    const target = sb.ctx.lifecycle.launch({ subnetId, imageId: 'ami-0c0ffee0c0ffee000', instanceType: 't3.micro' });
    await sb.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: target.instanceId }] }));

    const [groups, health] = await Promise.all([
      awsCli(['autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'cli-asg']),
      awsCli(['elbv2', 'describe-target-health', '--target-group-arn', tgArn]),
    ]);
    expect(groups.stderr).toBe('');
    expect(groups.code).toBe(0);
    expect(groups.json.AutoScalingGroups).toHaveLength(1);
    expect(groups.json.AutoScalingGroups[0]).toMatchObject({
      AutoScalingGroupName: 'cli-asg',
      MinSize: 0,
      MaxSize: 2,
      DesiredCapacity: 0,
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 0,
      VPCZoneIdentifier: subnetId,
      AvailabilityZones: ['us-east-1a'],
      TargetGroupARNs: [tgArn],
      Instances: [],
      LaunchTemplate: { LaunchTemplateName: 'cli-lt', Version: '$Latest' },
      Tags: [{ ResourceId: 'cli-asg', ResourceType: 'auto-scaling-group', Key: 'chaos-ec2:opt-in', Value: 'true', PropagateAtLaunch: false }],
    });
    expect(health.stderr).toBe('');
    expect(health.code).toBe(0);
    // No load balancer forwards to this group: AWS answers unused / Target.NotInUse from the registration on.
    expect(health.json.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: target.instanceId, Port: 80 },
        HealthCheckPort: '80',
        TargetHealth: { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' },
      },
    ]);
  });

  it('autoscaling describe-lifecycle-hooks and describe-warm-pool', async () => {
    // On the group of the test above (desired 0, max 2): the pool holds MaxSize − desired = 2 instances.
    // Set up through the AWS CLI itself: botocore needs the empty <PutWarmPoolResult/> AWS answers with.
    const put = await awsCli(['autoscaling', 'put-warm-pool', '--auto-scaling-group-name', 'cli-asg', '--min-size', '1', '--pool-state', 'Stopped']);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    await sb.waitForEvent(() => [...(sb.world.asgs.get('cli-asg')!.warmPool?.instances.values() ?? [])].filter((w) => w.lifecycleState === 'Warmed:Stopped').length === 2);
    // The hook only once the pool is warm: a launch hook holds new pool instances in Warmed:Pending:Wait.
    const hook = await awsCli([
      'autoscaling',
      'put-lifecycle-hook',
      '--auto-scaling-group-name',
      'cli-asg',
      '--lifecycle-hook-name',
      'cli-hook',
      '--lifecycle-transition',
      'autoscaling:EC2_INSTANCE_LAUNCHING',
      '--heartbeat-timeout',
      '7200',
    ]);
    expect(hook.stderr).toBe('');
    expect(hook.code).toBe(0);
    const [hooks, pool] = await Promise.all([
      awsCli(['autoscaling', 'describe-lifecycle-hooks', '--auto-scaling-group-name', 'cli-asg']),
      awsCli(['autoscaling', 'describe-warm-pool', '--auto-scaling-group-name', 'cli-asg']),
    ]);
    expect(hooks.stderr).toBe('');
    expect(hooks.json.LifecycleHooks).toEqual([
      {
        LifecycleHookName: 'cli-hook',
        AutoScalingGroupName: 'cli-asg',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        HeartbeatTimeout: 7200,
        GlobalTimeout: 172800,
        DefaultResult: 'ABANDON',
      },
    ]);
    expect(pool.stderr).toBe('');
    expect(pool.json.WarmPoolConfiguration).toEqual({ MinSize: 1, PoolState: 'Stopped' });
    expect(pool.json.Instances).toHaveLength(2);
    expect(pool.json.Instances[0]).toMatchObject({ AvailabilityZone: 'us-east-1a', LifecycleState: 'Warmed:Stopped', HealthStatus: 'Healthy', InstanceType: 't3.micro' });
  });

  it('elbv2 describe-rules: a host-header rule with a weighted forward, then the default fixed-response rule', async () => {
    const vpcId = sb.world.subnets.get(subnetId)!.vpcId;
    const other = (await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const lbArn = (await sb.elb.send(new CreateLoadBalancerCommand({ Name: 'cli-alb', Subnets: [subnetId, other] }))).LoadBalancers![0]!.LoadBalancerArn!;
    const blue = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'cli-blue', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    const green = (await sb.elb.send(new CreateTargetGroupCommand({ Name: 'cli-green', Protocol: 'HTTP', Port: 80, VpcId: vpcId }))).TargetGroups![0]!.TargetGroupArn!;
    const listenerArn = (
      await sb.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'not found' } }],
        }),
      )
    ).Listeners![0]!.ListenerArn!;
    const ruleArn = (
      await sb.elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 10,
          Conditions: [
            { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.test'] } },
            { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['prod'] } },
            { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
          ],
          Actions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: blue, Weight: 0 },
                  { TargetGroupArn: green, Weight: 10 },
                ],
              },
            },
          ],
        }),
      )
    ).Rules![0]!.RuleArn!;
    const r = await awsCli(['elbv2', 'describe-rules', '--listener-arn', listenerArn]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.Rules).toEqual([
      {
        RuleArn: ruleArn,
        Priority: '10',
        Conditions: [
          { Field: 'host-header', Values: ['shop.example.test'], HostHeaderConfig: { Values: ['shop.example.test'] } },
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['prod'] } },
          { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
        ],
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 0 },
                { TargetGroupArn: green, Weight: 10 },
              ],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
        IsDefault: false,
      },
      {
        RuleArn: expect.stringMatching(/:listener-rule\/app\/cli-alb\//),
        Priority: 'default',
        Conditions: [],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { MessageBody: 'not found', StatusCode: '404', ContentType: 'text/plain' } }],
        IsDefault: true,
      },
    ]);
  });

  it('elb (Classic, 2012-06-01) create-load-balancer, register-instances-with-load-balancer, describe-instance-health', async () => {
    const inst = await launchRunning();
    const created = await awsCli([
      'elb',
      'create-load-balancer',
      '--load-balancer-name',
      'cli-elb',
      '--listeners',
      'Protocol=HTTP,LoadBalancerPort=80,InstanceProtocol=HTTP,InstancePort=80',
      '--subnets',
      subnetId,
    ]);
    expect(created.stderr).toBe('');
    expect(created.json).toEqual({ DNSName: '127.0.0.1' });
    const hc = await awsCli([
      'elb',
      'configure-health-check',
      '--load-balancer-name',
      'cli-elb',
      '--health-check',
      'Target=HTTP:80/health,Interval=5,Timeout=2,UnhealthyThreshold=2,HealthyThreshold=2',
    ]);
    expect(hc.json).toEqual({ HealthCheck: { Target: 'HTTP:80/health', Interval: 5, Timeout: 2, UnhealthyThreshold: 2, HealthyThreshold: 2 } });
    const from = sb.world.events().at(-1)!.seq;
    const reg = await awsCli(['elb', 'register-instances-with-load-balancer', '--load-balancer-name', 'cli-elb', '--instances', inst.instanceId]);
    expect(reg.json).toEqual({ Instances: [{ InstanceId: inst.instanceId }] });
    // HealthyThreshold (2) passing checks of /health make it InService.
    await sb.waitForEvent((e) => e.seq > from && e.type === 'classic-instance-health' && e.instanceId === inst.instanceId && e.to === 'InService');
    const health = await awsCli(['elb', 'describe-instance-health', '--load-balancer-name', 'cli-elb']);
    expect(health.stderr).toBe('');
    expect(health.code).toBe(0);
    expect(health.json).toEqual({ InstanceStates: [{ InstanceId: inst.instanceId, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' }] });
    const missing = await awsCli(['elb', 'describe-instance-health', '--load-balancer-name', 'nope']);
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain('LoadBalancerNotFound');
  });

  it('autoscaling: a weighted mixed group, start/describe-instance-refreshes, put/describe-scheduled-update-group-action(s)', async () => {
    await sb.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'cli-mixed', LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro' } }));
    const policy = {
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateName: 'cli-mixed' },
        Overrides: [
          { InstanceType: 'm5.xlarge', WeightedCapacity: '2' },
          { InstanceType: 'm5.large', WeightedCapacity: '1' },
        ],
      },
    };
    // Desired 0: nothing to launch, so the refresh has nothing to replace.
    const created = await awsCli([
      'autoscaling',
      'create-auto-scaling-group',
      '--auto-scaling-group-name',
      'cli-weighted',
      '--mixed-instances-policy',
      JSON.stringify(policy),
      '--desired-capacity-type',
      'units',
      '--min-size',
      '0',
      '--max-size',
      '6',
      '--desired-capacity',
      '0',
      '--vpc-zone-identifier',
      subnetId,
    ]);
    expect(created.stderr).toBe('');
    const [described, started] = await Promise.all([
      awsCli(['autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'cli-weighted']),
      awsCli(['autoscaling', 'start-instance-refresh', '--auto-scaling-group-name', 'cli-weighted', '--preferences', 'MinHealthyPercentage=100']),
    ]);
    expect(described.json.AutoScalingGroups[0]).toMatchObject({ DesiredCapacityType: 'units', MixedInstancesPolicy: { LaunchTemplate: { Overrides: policy.LaunchTemplate.Overrides } } });
    expect(started.code).toBe(0);
    const refreshes = await awsCli(['autoscaling', 'describe-instance-refreshes', '--auto-scaling-group-name', 'cli-weighted']);
    expect(refreshes.json.InstanceRefreshes).toHaveLength(1);
    expect(refreshes.json.InstanceRefreshes[0]).toMatchObject({
      InstanceRefreshId: started.json.InstanceRefreshId,
      AutoScalingGroupName: 'cli-weighted',
      Preferences: { MinHealthyPercentage: 100 },
    });

    const at = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const putAction = (name: string, startTime: string) =>
      awsCli([
        'autoscaling',
        'put-scheduled-update-group-action',
        '--auto-scaling-group-name',
        'cli-weighted',
        '--scheduled-action-name',
        name,
        '--start-time',
        startTime,
        '--desired-capacity',
        '4',
      ]);
    const [put, late] = await Promise.all([putAction('later', at), putAction('late', '2020-01-01T00:00:00Z')]);
    expect(put.code).toBe(0);
    expect(late.code).toBe(254);
    expect(late.stderr).toContain('ValidationError');
    const actions = await awsCli(['autoscaling', 'describe-scheduled-actions', '--auto-scaling-group-name', 'cli-weighted']);
    expect(actions.json.ScheduledUpdateGroupActions).toEqual([
      expect.objectContaining({ ScheduledActionName: 'later', DesiredCapacity: 4, StartTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
  });
  it('cloudwatch (awsQuery 2010-08-01) put-metric-alarm, set-alarm-state, describe-alarms, put-metric-data, get-metric-statistics', async () => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    // Each CLI run costs a second or more: independent calls run side by side.
    const [put, data] = await Promise.all([
      awsCli([
        ...['cloudwatch', 'put-metric-alarm', '--alarm-name', 'cli-errors', '--namespace', 'Cli/App', '--metric-name', 'Errors'],
        ...['--dimensions', 'Name=Service,Value=cart', '--statistic', 'Sum', '--period', '60', '--evaluation-periods', '1', '--threshold', '1'],
        ...['--comparison-operator', 'GreaterThanOrEqualToThreshold', '--treat-missing-data', 'notBreaching'],
      ]),
      awsCli([
        ...['cloudwatch', 'put-metric-data', '--namespace', 'Cli/App', '--metric-name', 'Errors', '--dimensions', 'Service=cart'],
        ...['--value', '3', '--unit', 'Count', '--timestamp', new Date(minute.getTime() + 10_000).toISOString()],
      ]),
    ]);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(data.stderr).toBe('');
    expect(data.code).toBe(0);
    const [set, missing, described, stats] = await Promise.all([
      awsCli(['cloudwatch', 'set-alarm-state', '--alarm-name', 'cli-errors', '--state-value', 'ALARM', '--state-reason', 'game day']),
      awsCli(['cloudwatch', 'set-alarm-state', '--alarm-name', 'nope', '--state-value', 'ALARM', '--state-reason', 'x']),
      awsCli(['cloudwatch', 'describe-alarms', '--alarm-names', 'cli-errors']),
      awsCli([
        ...['cloudwatch', 'get-metric-statistics', '--namespace', 'Cli/App', '--metric-name', 'Errors', '--dimensions', 'Name=Service,Value=cart'],
        ...['--start-time', minute.toISOString(), '--end-time', new Date(minute.getTime() + 120_000).toISOString(), '--period', '60', '--statistics', 'Sum', 'SampleCount'],
      ]),
    ]);
    expect(set.code).toBe(0);
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain('(ResourceNotFound)');
    expect(described.code).toBe(0);
    expect(described.json.MetricAlarms).toHaveLength(1);
    expect(described.json.MetricAlarms[0]).toMatchObject({
      AlarmName: 'cli-errors',
      AlarmArn: `arn:aws:cloudwatch:us-east-1:${sb.world.accountId}:alarm:cli-errors`,
      Dimensions: [{ Name: 'Service', Value: 'cart' }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      StateUpdatedTimestamp: expect.stringMatching(/^\d{4}-/),
    });
    // The set ALARM is in the history whatever the evaluations did before or after it.
    expect(sb.ctx.cloudwatch.historyItems().map((h) => h.historySummary)).toContainEqual(expect.stringMatching(/^Alarm updated from \w+ to ALARM$/));
    expect(stats.code).toBe(0);
    expect(stats.json).toEqual({ Label: 'Errors', Datapoints: [{ Timestamp: expect.stringMatching(/^\d{4}-/), Sum: 3, SampleCount: 1, Unit: 'Count' }] });
    expect(new Date(stats.json.Datapoints[0].Timestamp).getTime()).toBe(minute.getTime());
  });
});
