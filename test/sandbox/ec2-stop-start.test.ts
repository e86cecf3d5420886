/**
 * StopInstances / StartInstances through the real EC2 client: the state machine, the data plane following
 * it (a stopped instance stops answering, a started one answers again), which instances cannot be stopped
 * (Spot, instance-store), and what the errors look like.
 */
import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Instance as Ec2Instance,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxEvent } from '../../src/sandbox/world/events.js';
import { expectAwsError, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

type ServerEvent = Extract<SandboxEvent, { type: 'instance-server' }>;

describe('sandbox EC2 StopInstances / StartInstances', () => {
  let sb: TestSandbox;
  let subnetId: string;

  const stateEvent = (id: string, to: string) => sb.waitForEvent((e) => e.type === 'instance-state' && e.instanceId === id && e.to === to, 5000);
  const listening = (id: string, afterSeq = 0) =>
    sb.waitForEvent((e) => e.seq > afterSeq && e.type === 'instance-server' && e.instanceId === id && e.change === 'listening', 5000) as Promise<ServerEvent>;
  const describe1 = async (id: string): Promise<Ec2Instance> => (await sb.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
  /** RunInstances, then waits until the instance's HTTP server answers. */
  const runServing = async (extra: Partial<ConstructorParameters<typeof RunInstancesCommand>[0]> = {}): Promise<string> => {
    const out = await sb.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0c0ffee0c0ffee000', SubnetId: subnetId, MinCount: 1, MaxCount: 1, ...extra }));
    const id = out.Instances![0]!.InstanceId!;
    await listening(id);
    return id;
  };

  beforeAll(async () => {
    sb = await startTestSandbox({ timings: { bootMs: 100, appStartMs: 50, shutdownMs: 100, stopMs: 150 } });
    const vpcId = (await sb.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await sb.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  });
  afterAll(() => sb.close());

  it('stop: running → stopping → stopped, and the instance stops answering', async () => {
    const id = await runServing();
    const port = sb.world.instances.get(id)!.port!;
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const from = sb.world.events().at(-1)!.seq;

    const out = await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(out.StoppingInstances).toEqual([{ InstanceId: id, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 64, Name: 'stopping' } }]);
    const stopped = await stateEvent(id, 'stopped');
    const states = sb.world
      .events(from)
      .filter((e) => e.type === 'instance-state' && e.instanceId === id)
      .map((e) => e.type === 'instance-state' && e.to);
    expect(states).toEqual(['stopping', 'stopped']);
    const d = await describe1(id);
    expect(d.State).toEqual({ Code: 80, Name: 'stopped' });
    expect(d.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(d.StateTransitionReason).toMatch(/^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
    // The server closed when the instance left running; nothing listens on its port any more.
    const closed = sb.world.events(from).find((e) => e.type === 'instance-server' && e.instanceId === id && e.change === 'closed');
    expect(closed).toBeDefined();
    expect(closed!.seq).toBeLessThan(stopped.seq);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    expect(sb.world.instances.get(id)!.port).toBeUndefined();

    // Stopping a stopping or stopped instance succeeds with no change, as EC2 answers.
    const again = await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(again.StoppingInstances![0]).toMatchObject({ PreviousState: { Name: 'stopped' }, CurrentState: { Name: 'stopped' } });
  });

  it('start: stopped → pending → running, serving again (new LaunchTime, reasons cleared)', async () => {
    const id = await runServing();
    await sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await stateEvent(id, 'stopped');
    const firstLaunch = (await describe1(id)).LaunchTime!;
    const from = sb.world.events().at(-1)!.seq;

    const out = await sb.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(out.StartingInstances).toEqual([{ InstanceId: id, PreviousState: { Code: 80, Name: 'stopped' }, CurrentState: { Code: 0, Name: 'pending' } }]);
    const server = await listening(id, from);
    const d = await describe1(id);
    expect(d.State).toEqual({ Code: 16, Name: 'running' });
    expect(d.StateReason).toBeUndefined();
    expect(d.StateTransitionReason).toBe('');
    expect(d.LaunchTime!.getTime()).toBeGreaterThan(firstLaunch.getTime());
    const res = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-instance-id')).toBe(id);
    const order = sb.world
      .events(from)
      .filter((e) => e.type === 'instance-state' && e.instanceId === id)
      .map((e) => e.type === 'instance-state' && e.to);
    expect(order).toEqual(['pending', 'running']);

    // Starting a running instance succeeds with no change.
    const again = await sb.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(again.StartingInstances![0]).toMatchObject({ PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 16, Name: 'running' } });
  });

  it('DryRun answers 412 DryRunOperation after validation and changes nothing', async () => {
    const id = await runServing();
    const seq = sb.world.events().at(-1)!.seq;
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id], DryRun: true })), 'DryRunOperation', 412);
    await expectAwsError(sb.ec2.send(new StartInstancesCommand({ InstanceIds: [id], DryRun: true })), 'DryRunOperation', 412);
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id, 'i-0123456789abcdef0'], DryRun: true })), 'InvalidInstanceID.NotFound');
    expect(sb.world.events(seq).filter((e) => e.type === 'instance-state')).toEqual([]);
    expect(sb.world.instances.get(id)!.state).toBe('running');
  });

  it('errors: unknown ids, and IncorrectInstanceState to start a terminated instance or stop a pending one', async () => {
    const err = await expectAwsError(sb.ec2.send(new StartInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound');
    expect(err.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound');

    const id = await runServing();
    await sb.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await stateEvent(id, 'terminated');
    const start = await expectAwsError(sb.ec2.send(new StartInstancesCommand({ InstanceIds: [id] })), 'IncorrectInstanceState');
    expect(start.message).toBe(`The instance '${id}' is not in a state from which it can be started.`);
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id] })), 'IncorrectInstanceState');

    // A slow boot keeps the instance pending while we ask: a pending instance cannot be stopped.
    const pending = sb.ctx.lifecycle.launch({ subnetId, imageId: 'ami-0c0ffee0c0ffee000', instanceType: 't3.micro', extraBootMs: 60_000 });
    const stop = await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [pending.instanceId] })), 'IncorrectInstanceState');
    expect(stop.message).toBe(`The instance '${pending.instanceId}' is not in a state from which it can be stopped.`);
    sb.ctx.lifecycle.terminate(pending.instanceId);
  });

  it('Spot Instances (launch template or RunInstances market options) and instance-store roots cannot be stopped', async () => {
    const lt = await sb.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'spot-lt',
        LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro', InstanceMarketOptions: { MarketType: 'spot' } },
      }),
    );
    const fromTemplate = await runServing({ ImageId: undefined, LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId! } });
    const fromMarketOptions = await runServing({ InstanceMarketOptions: { MarketType: 'spot' } });
    const onDemand = await runServing();
    const instanceStore = await runServing();
    const patched = await fetch(`${sb.endpoint}/_sandbox/instances/${instanceStore}`, { method: 'POST', body: JSON.stringify({ rootDeviceType: 'instance-store' }) });
    expect(patched.status).toBe(200);

    for (const id of [fromTemplate, fromMarketOptions]) {
      expect(await describe1(id)).toMatchObject({ InstanceLifecycle: 'spot', RootDeviceType: 'ebs' });
      const e = await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [id] })), 'UnsupportedOperation');
      expect(e.message).toBe(
        `You can't stop the Spot Instance '${id}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`,
      );
    }
    const od = await describe1(onDemand);
    expect(od.InstanceLifecycle).toBeUndefined();
    expect(od.RootDeviceType).toBe('ebs');
    expect((await describe1(instanceStore)).RootDeviceType).toBe('instance-store');
    const e = await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceStore] })), 'UnsupportedOperation');
    expect(e.message).toBe(`The instance '${instanceStore}' does not have an 'ebs' root device type and cannot be stopped.`);

    // One un-stoppable instance fails the whole request: the stoppable one in it is left running.
    await expectAwsError(sb.ec2.send(new StopInstancesCommand({ InstanceIds: [onDemand, fromTemplate] })), 'UnsupportedOperation');
    expect(sb.world.instances.get(onDemand)!.state).toBe('running');

    // The filters a tool would use to leave them out.
    const ids = async (name: string, value: string) =>
      (await sb.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: name, Values: [value] }] }))).Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId)).sort();
    expect(await ids('instance-lifecycle', 'spot')).toEqual([fromTemplate, fromMarketOptions].sort());
    expect(await ids('root-device-type', 'instance-store')).toEqual([instanceStore]);

    // The control endpoint validates what it is given.
    const bad = await fetch(`${sb.endpoint}/_sandbox/instances/${onDemand}`, { method: 'POST', body: JSON.stringify({ rootDeviceType: 'floppy', x: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { problems: string[] }).problems).toHaveLength(2);
    expect((await fetch(`${sb.endpoint}/_sandbox/instances/i-0123456789abcdef0`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
