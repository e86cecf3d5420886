/**
 * The load balancer's own metrics (AWS/ApplicationELB), computed by the sandbox from its data plane and read
 * through the real @aws-sdk/client-cloudwatch: request and 5XX counts rise with the traffic the load balancer
 * really served, host counts follow target health, and an alarm on the ELB 5XX count fires when it serves 503s.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { buildWorld, waitForSteadyState, type Fixture } from '../helpers/world-fixture.js';

const NS = 'AWS/ApplicationELB';

describe('sandbox CloudWatch: load balancer metrics from the data plane', () => {
  let sb: TestSandbox;
  let fx: Fixture;
  let cw: CloudWatchClient;
  let lbDim: { Name: string; Value: string };
  let tgDim: { Name: string; Value: string };

  /** The Sum (or Maximum) of a metric over the last minute, through GetMetricStatistics. */
  const stat = async (metric: string, dimensions: { Name: string; Value: string }[], statistic: 'Sum' | 'Maximum' = 'Sum') => {
    const now = Date.now();
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: NS,
        MetricName: metric,
        Dimensions: dimensions,
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now + 1000),
        Period: 60,
        Statistics: [statistic],
      }),
    );
    return out.Datapoints!.reduce((n, d) => (statistic === 'Sum' ? n + d.Sum! : Math.max(n, d.Maximum!)), 0);
  };
  /** Polls a metric until it reaches `atLeast` (the data plane publishes each finished second). */
  const until = async (read: () => Promise<number>, atLeast: number, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (v >= atLeast || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const get = async (path = '/') => {
    const res = await fetch(new URL(path, fx.url), { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    sb = await startTestSandbox({ timings: { alarmEvaluationMs: 150 } });
    cw = new CloudWatchClient(clientConfig(sb.endpoint));
    fx = await buildWorld(sb.ctx, { desired: 2 });
    await waitForSteadyState(sb.ctx, fx, 2);
    lbDim = { Name: 'LoadBalancer', Value: fx.loadBalancerArn.split(':loadbalancer/')[1]! };
    tgDim = { Name: 'TargetGroup', Value: fx.targetGroupArn.split(':').at(-1)! };
  });
  afterAll(async () => {
    cw?.destroy();
    await sb?.close();
  });

  it('counts requests per load balancer and per target group, and the healthy hosts', async () => {
    expect(lbDim.Value).toMatch(/^app\/chaos-web\/[0-9a-f]+$/);
    expect(tgDim.Value).toMatch(/^targetgroup\/chaos-web\/[0-9a-f]+$/);
    for (let i = 0; i < 5; i++) expect(await get()).toBe(200);
    expect(await until(() => stat('RequestCount', [lbDim]), 5)).toBe(5);
    expect(await stat('RequestCount', [lbDim, tgDim])).toBe(5);
    expect(await until(() => stat('HealthyHostCount', [lbDim, tgDim], 'Maximum'), 2)).toBe(2);
    // No 5XX yet: the counts have no datapoint at all ("reported if nonzero").
    expect(await stat('HTTPCode_ELB_5XX_Count', [lbDim])).toBe(0);
  });

  it("counts the targets' own 5XX answers apart from the load balancer's", async () => {
    const broken = sb.world.membersOf(fx.asgName)[0]!.instanceId;
    sb.world.instances.get(broken)!.appBroken = true;
    // Round-robin over two targets: two requests for /health reach the broken one once, which answers 500.
    const statuses = [await get('/health'), await get('/health')];
    expect(statuses.sort()).toEqual([200, 500]);
    expect(await until(() => stat('HTTPCode_Target_5XX_Count', [lbDim, tgDim]), 1)).toBe(1);
    expect(await stat('HTTPCode_ELB_5XX_Count', [lbDim])).toBe(0);
    // Its health checks now fail: the unhealthy host shows up in UnHealthyHostCount.
    expect(await until(() => stat('UnHealthyHostCount', [lbDim, tgDim], 'Maximum'), 1)).toBe(1);
  });

  it('an alarm on HTTPCode_ELB_5XX_Count: INSUFFICIENT_DATA at zero unless notBreaching, ALARM once the load balancer serves 503s', async () => {
    const alarm = (name: string, treat?: string) =>
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: NS,
          MetricName: 'HTTPCode_ELB_5XX_Count',
          Dimensions: [lbDim],
          Statistic: 'Sum',
          Period: 10,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          ...(treat ? { TreatMissingData: treat } : {}),
        }),
      );
    await alarm('elb5xx-default');
    await alarm('elb5xx-notbreaching', 'notBreaching');
    await sb.waitForEvent((e) => e.type === 'alarm-state' && e.alarmName === 'elb5xx-notbreaching' && e.to === 'OK', 3000);
    const states = async () => Object.fromEntries(((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'elb5xx-' }))).MetricAlarms ?? []).map((a) => [a.AlarmName, a.StateValue]));
    expect(await states()).toEqual({ 'elb5xx-default': 'INSUFFICIENT_DATA', 'elb5xx-notbreaching': 'OK' });

    // Every target gone: the load balancer answers 503 itself.
    sb.world.asgs.get(fx.asgName)!.suspendedProcesses.set('HealthCheck', 'test');
    for (const reg of [...sb.world.targetsOf(fx.targetGroupArn).values()]) sb.world.removeTarget(reg);
    for (let i = 0; i < 3; i++) expect(await get()).toBe(503);
    for (const name of ['elb5xx-default', 'elb5xx-notbreaching']) await sb.waitForEvent((e) => e.type === 'alarm-state' && e.alarmName === name && e.to === 'ALARM', 5000);
    expect(await stat('HTTPCode_ELB_5XX_Count', [lbDim])).toBe(3);
  });
});
