/**
 * The load balancers' own CloudWatch metrics, computed from the sandbox's data plane, as "CloudWatch metrics
 * for your Application Load Balancer" defines them
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
 * - RequestCount: requests for which the load balancer chose a target ("requests rejected before a target is
 *   chosen are not reflected"), per LoadBalancer and per LoadBalancer + TargetGroup;
 * - HTTPCode_Target_5XX_Count: 5XX answers the targets gave, same dimensions;
 * - HTTPCode_ELB_5XX_Count: 5XX answers the load balancer gave itself (no target, 502, 504), per LoadBalancer;
 * - HealthyHostCount / UnHealthyHostCount: per LoadBalancer + TargetGroup, every period, sampled several times
 *   per period and at every target health change, so a target unhealthy for a moment shows in the period's
 *   Maximum (the load balancer's nodes sample it many times a minute on AWS).
 * The counts are "reported if there is a nonzero value": a period without any has NO datapoint (an alarm on a
 * 5XX count sits in INSUFFICIENT_DATA unless TreatMissingData says otherwise). Datapoints are stamped with
 * their period's start; the period is 60 s in the realistic profile ("measures and sends its metrics in
 * 60-second intervals") and 1 s in the fast one (timings.lbMetricPeriodMs). Network Load Balancers publish
 * their host counts in AWS/NetworkELB
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html).
 * Dimension values: LoadBalancer = `app/<name>/<id>` (the ARN after `loadbalancer/`), TargetGroup =
 * `targetgroup/<name>/<id>`.
 */
import type { Timings } from '../profiles.js';
import type { Timers } from '../timers.js';
import type { World } from '../world/world.js';
import type { MetricStore } from './metrics.js';
import type { Dimension } from './types.js';

type CountMetric = 'RequestCount' | 'HTTPCode_Target_5XX_Count' | 'HTTPCode_ELB_5XX_Count';

interface HostSample {
  namespace: string;
  metric: 'HealthyHostCount' | 'UnHealthyHostCount';
  dimensions: Dimension[];
  startMs: number;
  sum: number;
  min: number;
  max: number;
  count: number;
}

interface Counter {
  metric: CountMetric;
  loadBalancerArn: string;
  targetGroupArn?: string;
  startMs: number;
  n: number;
}

export function loadBalancerDimension(loadBalancerArn: string): string {
  const i = loadBalancerArn.indexOf(':loadbalancer/');
  return i < 0 ? loadBalancerArn : loadBalancerArn.slice(i + ':loadbalancer/'.length);
}

export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.lastIndexOf(':') + 1);
}

export class LbMetrics {
  private readonly counters = new Map<string, Counter>();
  private readonly hosts = new Map<string, HostSample>();

  constructor(
    private readonly world: World,
    private readonly metrics: MetricStore,
    private readonly timings: Pick<Timings, 'lbMetricPeriodMs'>,
    private readonly timers: Timers,
  ) {}

  /**
   * Samples and publishes a few times per period, at least once a second: a period's datapoint lands within a
   * second of its end, so an alarm evaluated just after a minute closes already sees that minute.
   */
  start(): void {
    this.timers.every(Math.max(50, Math.min(1000, this.timings.lbMetricPeriodMs / 4)), () => {
      this.sampleHosts();
      this.publish();
    });
    this.world.subscribe((e) => {
      if (e.type === 'target-health') this.sampleHosts(e.targetGroupArn);
    });
  }

  /**
   * A request the load balancer routed to a target of `targetGroupArn`: call the result once with the status
   * the client got (undefined: none) and whether the load balancer gave it itself (a 502/504 of its own).
   */
  routed(loadBalancerArn: string, targetGroupArn: string): (status: number | undefined, byLoadBalancer: boolean) => void {
    let done = false;
    return (status, byLoadBalancer) => {
      if (done) return;
      done = true;
      this.count('RequestCount', loadBalancerArn, targetGroupArn);
      if (status !== undefined && status >= 500 && !byLoadBalancer) this.count('HTTPCode_Target_5XX_Count', loadBalancerArn, targetGroupArn);
    };
  }

  /** An answer the load balancer gave itself (no target registered, connect timeout, refused, …). */
  loadBalancerAnswered(loadBalancerArn: string, status: number): void {
    if (status >= 500) this.count('HTTPCode_ELB_5XX_Count', loadBalancerArn);
  }

  /** Writes every finished period's counts and host samples. */
  publish(): void {
    const current = this.periodStart();
    for (const [key, c] of this.counters) {
      if (c.startMs >= current) continue;
      this.counters.delete(key);
      const lb = { name: 'LoadBalancer', value: loadBalancerDimension(c.loadBalancerArn) };
      this.put('AWS/ApplicationELB', c.metric, [lb], c.startMs, c.n);
      if (c.targetGroupArn) this.put('AWS/ApplicationELB', c.metric, [lb, { name: 'TargetGroup', value: targetGroupDimension(c.targetGroupArn) }], c.startMs, c.n);
    }
    for (const [key, h] of this.hosts) {
      if (h.startMs >= current) continue;
      this.hosts.delete(key);
      const point = { atMs: h.startMs, sum: h.sum, min: h.min, max: h.max, count: h.count, unit: 'Count' };
      this.metrics.put({ namespace: h.namespace, metricName: h.metric, dimensions: h.dimensions }, point, this.timings.lbMetricPeriodMs);
    }
  }

  /** One sample of the healthy and unhealthy targets of every target group (or of one) behind a load balancer. */
  private sampleHosts(onlyTargetGroupArn?: string): void {
    const startMs = this.periodStart();
    const groups = onlyTargetGroupArn ? [this.world.targetGroups.get(onlyTargetGroupArn)] : [...this.world.targetGroups.values()];
    for (const tg of groups) {
      if (!tg) continue;
      const regs = [...(this.world.targets.get(tg.targetGroupArn)?.values() ?? [])];
      const healthy = regs.filter((r) => r.state === 'healthy').length;
      const unhealthy = regs.filter((r) => r.state === 'unhealthy').length;
      for (const lbArn of tg.loadBalancerArns) {
        const lb = this.world.loadBalancers.get(lbArn);
        if (!lb) continue;
        const namespace = lb.type === 'network' ? 'AWS/NetworkELB' : 'AWS/ApplicationELB';
        const dimensions = [
          { name: 'LoadBalancer', value: loadBalancerDimension(lbArn) },
          { name: 'TargetGroup', value: targetGroupDimension(tg.targetGroupArn) },
        ];
        this.sample(namespace, 'HealthyHostCount', dimensions, startMs, healthy);
        this.sample(namespace, 'UnHealthyHostCount', dimensions, startMs, unhealthy);
      }
    }
  }

  private sample(namespace: string, metric: HostSample['metric'], dimensions: Dimension[], startMs: number, v: number): void {
    const key = `${namespace}|${metric}|${dimensions.map((d) => d.value).join('|')}|${startMs}`;
    const h = this.hosts.get(key);
    if (!h) {
      this.hosts.set(key, { namespace, metric, dimensions, startMs, sum: v, min: v, max: v, count: 1 });
      return;
    }
    h.sum += v;
    h.min = Math.min(h.min, v);
    h.max = Math.max(h.max, v);
    h.count++;
  }

  private periodStart(): number {
    const periodMs = this.timings.lbMetricPeriodMs;
    return Math.floor(this.world.now() / periodMs) * periodMs;
  }

  private count(metric: CountMetric, loadBalancerArn: string, targetGroupArn?: string): void {
    const startMs = this.periodStart();
    const key = `${metric}|${loadBalancerArn}|${targetGroupArn ?? ''}|${startMs}`;
    const c = this.counters.get(key);
    if (c) c.n++;
    else this.counters.set(key, { metric, loadBalancerArn, ...(targetGroupArn ? { targetGroupArn } : {}), startMs, n: 1 });
  }

  private put(namespace: string, metricName: string, dimensions: Dimension[], atMs: number, n: number): void {
    this.metrics.put({ namespace, metricName, dimensions }, { atMs, sum: n, min: n, max: n, count: 1, unit: 'Count' }, this.timings.lbMetricPeriodMs);
  }
}
