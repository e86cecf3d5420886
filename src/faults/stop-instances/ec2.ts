/**
 * The EC2 instance calls stop-instances makes (stop, start, describe), for its run and its `recover`. AWS facts these follow
 * (EC2 API Reference: StopInstances, StartInstances, DescribeInstances; EC2 user guide "Stop and start
 * Amazon EC2 instances"):
 * - Spot instances cannot be stopped unless persistent; instance-store-backed instances cannot be stopped at
 *   all. DescribeInstances tells them apart: `InstanceLifecycle` is 'spot' (absent for On-Demand) and
 *   `RootDeviceType` is 'instance-store' or 'ebs'.
 * - StartInstances on an instance that is not `stopped` fails with IncorrectInstanceState; one already
 *   terminated (Auto Scaling replaces stopped members) is not an error for chaos-ec2: it is the recovery.
 * - DescribeInstances with InstanceIds fails as a whole (InvalidInstanceID.NotFound) if one id is unknown
 *   long after termination; a filter on instance-id returns what exists instead.
 */
import { DescribeInstancesCommand, StartInstancesCommand, StopInstancesCommand, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import type { Phase } from '../../core/errors.js';
import { call } from '../../aws/errors.js';

export interface InstanceInfo {
  instanceId: string;
  state: string;
  availabilityZone: string;
  /** 'spot' or 'scheduled'; absent for On-Demand. */
  lifecycle: string | undefined;
  rootDeviceType: string | undefined;
  tags: Record<string, string>;
}

export interface StateChange {
  instanceId: string;
  previous: string;
  current: string;
}

/** Instances matching the filters, all pages. */
export async function describeInstances(ec2: EC2Client, filters: Filter[], phase: Phase): Promise<InstanceInfo[]> {
  const out: InstanceInfo[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call('DescribeInstances', { phase }, () => ec2.send(new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, ...(NextToken ? { NextToken } : {}) })));
    for (const r of page.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        out.push({
          instanceId: i.InstanceId ?? '',
          state: i.State?.Name ?? '',
          availabilityZone: i.Placement?.AvailabilityZone ?? '',
          lifecycle: i.InstanceLifecycle,
          rootDeviceType: i.RootDeviceType,
          tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        });
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The given instances that still exist (any state), by id; unknown ids are simply absent. */
export async function describeInstancesById(ec2: EC2Client, ids: string[], phase: Phase): Promise<Map<string, InstanceInfo>> {
  if (ids.length === 0) return new Map();
  const found = await describeInstances(ec2, [{ Name: 'instance-id', Values: ids }], phase);
  return new Map(found.map((i) => [i.instanceId, i]));
}

const changes = (list: { InstanceId?: string; PreviousState?: { Name?: string }; CurrentState?: { Name?: string } }[] | undefined): StateChange[] =>
  (list ?? []).map((t) => ({ instanceId: t.InstanceId ?? '', previous: t.PreviousState?.Name ?? '', current: t.CurrentState?.Name ?? '' }));

export async function stopInstances(ec2: EC2Client, ids: string[], phase: Phase): Promise<StateChange[]> {
  const out = await call('StopInstances', { phase, target: ids.join(',') }, () => ec2.send(new StopInstancesCommand({ InstanceIds: ids })));
  return changes(out.StoppingInstances);
}

export async function startInstances(ec2: EC2Client, ids: string[], phase: Phase): Promise<StateChange[]> {
  const out = await call('StartInstances', { phase, target: ids.join(',') }, () => ec2.send(new StartInstancesCommand({ InstanceIds: ids })));
  return changes(out.StartingInstances);
}
