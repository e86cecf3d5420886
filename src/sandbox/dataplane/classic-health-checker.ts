/**
 * Classic Load Balancer health checks: per load balancer, every HealthCheck.Interval, one check of each
 * registered instance, sent from the load balancer node in the instance's AZ so NACLs apply to it as to
 * traffic (network.ts).
 *
 * AWS rules followed (Classic Load Balancers user guide, "Configure health checks for your Classic Load
 * Balancer", https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html, and
 * API_HealthCheck / API_InstanceState):
 * - Target `HTTP:port/path` (and HTTPS): a GET of the path; only a 200 OK within Timeout passes.
 *   `TCP:port` (and SSL): the connection opening within Timeout passes. The sandbox's instances speak plain
 *   HTTP, so an HTTPS or SSL check fails, as it would against a server without TLS.
 * - Thresholds count CONSECUTIVE results: OutOfService → InService after HealthyThreshold passes (a newly
 *   registered instance too), InService → OutOfService after UnhealthyThreshold failures.
 * - An instance that is not running is OutOfService with ReasonCode Instance ("Instance is in stopped state.").
 *
 * Time: the realistic profile checks on AWS's clock. The fast profile compresses it: an Interval of N
 * seconds lasts N × (profile interval / 30 s), a Timeout of N seconds N × (profile timeout / 5 s) — the
 * same ratio the fast profile applies to ALB health checks against AWS's defaults.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { SandboxContext } from '../context.js';
import { setClassicState } from '../world/classic-state.js';
import { CLASSIC_DESCRIPTION, type ClassicHealthCheck, type ClassicInstanceHealth, type ClassicLoadBalancer } from '../world/classic-types.js';
import { nodeIp, reachable } from './network.js';

/** `HTTP:80/health` → its parts; undefined when malformed (ConfigureHealthCheck refuses those). */
export function parseHealthTarget(target: string): { protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'SSL'; port: number; path?: string } | undefined {
  const m = /^(HTTP|HTTPS|TCP|SSL):(\d{1,5})(\/.*)?$/.exec(target);
  if (!m) return undefined;
  const protocol = m[1] as 'HTTP' | 'HTTPS' | 'TCP' | 'SSL';
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const http = protocol === 'HTTP' || protocol === 'HTTPS';
  // HTTP(S) targets need a ping path; TCP/SSL ones must not have one (API_HealthCheck, Target).
  if (http !== (m[3] !== undefined)) return undefined;
  return http ? { protocol, port, path: m[3]! } : { protocol, port };
}

export class ClassicHealthChecker {
  private readonly loops = new Map<string, { handle: NodeJS.Timeout | undefined; intervalMs: number }>();
  private readonly inFlight = new Set<ClassicInstanceHealth>();

  constructor(private readonly ctx: SandboxContext) {}

  intervalMs(hc: ClassicHealthCheck): number {
    return Math.max(10, hc.interval * 1000 * (this.ctx.timings.healthCheckIntervalSeconds / 30));
  }

  timeoutMs(hc: ClassicHealthCheck): number {
    return Math.max(1, hc.timeout * 1000 * (this.ctx.timings.healthCheckTimeoutSeconds / 5));
  }

  /** Starts, restarts (interval changed) or stops loops to match the World's Classic Load Balancers. */
  sync(): void {
    const { world, timers } = this.ctx;
    for (const [name, loop] of this.loops) {
      const lb = world.classicLoadBalancers.get(name);
      if (!lb || loop.intervalMs !== this.intervalMs(lb.healthCheck)) {
        timers.cancel(loop.handle);
        this.loops.delete(name);
      }
    }
    for (const lb of world.classicLoadBalancers.values()) {
      if (this.loops.has(lb.loadBalancerName)) continue;
      const intervalMs = this.intervalMs(lb.healthCheck);
      const handle = timers.every(intervalMs, () => this.round(lb.loadBalancerName));
      this.loops.set(lb.loadBalancerName, { handle, intervalMs });
    }
  }

  stop(): void {
    for (const loop of this.loops.values()) this.ctx.timers.cancel(loop.handle);
    this.loops.clear();
  }

  round(name: string): void {
    const { world } = this.ctx;
    const lb = world.classicLoadBalancers.get(name);
    if (!lb || this.intervalMs(lb.healthCheck) !== this.loops.get(name)?.intervalMs) return this.sync();
    for (const reg of [...lb.instances.values()]) {
      if (this.inFlight.has(reg)) continue;
      const inst = world.instances.get(reg.instanceId);
      if (!inst || inst.state !== 'running') {
        const description =
          !inst || inst.state === 'terminated' || inst.state === 'shutting-down'
            ? CLASSIC_DESCRIPTION.terminated
            : inst.state === 'pending'
              ? CLASSIC_DESCRIPTION.pending
              : CLASSIC_DESCRIPTION.stopped;
        reg.consecutiveOk = 0;
        setClassicState(world, lb, reg, 'OutOfService', 'Instance', description);
        continue;
      }
      const node = lb.subnets.find((s) => s.zoneName === inst.availabilityZone) ?? lb.subnets[0];
      const target = parseHealthTarget(lb.healthCheck.target);
      if (!node || !target) continue;
      const blocked = !reachable(world, { subnetId: node.subnetId, ip: nodeIp(world, node.subnetId) }, { subnetId: inst.subnetId, ip: inst.privateIpAddress }, target.port);
      this.inFlight.add(reg);
      void this.check(target, inst.port, blocked, this.timeoutMs(lb.healthCheck)).then((ok) => {
        this.inFlight.delete(reg);
        const cur = world.instances.get(reg.instanceId);
        if (!cur || cur.state !== 'running') return;
        this.apply(lb, reg, ok);
      });
    }
  }

  private check(target: NonNullable<ReturnType<typeof parseHealthTarget>>, port: number | undefined, blocked: boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      // Dropped packets: nothing comes back, so the check fails only when its timeout runs out.
      if (blocked) return void this.ctx.timers.after(timeoutMs, () => resolve(false));
      if (port === undefined || target.protocol === 'HTTPS' || target.protocol === 'SSL') return resolve(false);
      if (target.protocol === 'TCP') {
        const sock = connect({ host: '127.0.0.1', port });
        sock.setTimeout(timeoutMs, () => (sock.destroy(), resolve(false)));
        sock.once('connect', () => (sock.destroy(), resolve(true)));
        sock.once('error', () => resolve(false));
        return;
      }
      const req = httpRequest({ host: '127.0.0.1', port, path: target.path, method: 'GET', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.setTimeout(timeoutMs, () => (req.destroy(), resolve(false)));
      req.once('error', () => resolve(false));
      req.end();
    });
  }

  private apply(lb: ClassicLoadBalancer, reg: ClassicInstanceHealth, ok: boolean): void {
    const { world } = this.ctx;
    const hc = lb.healthCheck;
    if (ok) {
      reg.consecutiveOk++;
      reg.consecutiveFail = 0;
      if (reg.state !== 'InService' && reg.consecutiveOk >= hc.healthyThreshold) setClassicState(world, lb, reg, 'InService', 'N/A', CLASSIC_DESCRIPTION.inService);
      // Still short of the threshold after a failure streak: say so, as AWS does.
      else if (reg.state !== 'InService' && reg.description !== CLASSIC_DESCRIPTION.registering) setClassicState(world, lb, reg, 'OutOfService', 'Instance', CLASSIC_DESCRIPTION.notPassed);
      return;
    }
    reg.consecutiveFail++;
    reg.consecutiveOk = 0;
    if (reg.state === 'InService' && reg.consecutiveFail < hc.unhealthyThreshold) return;
    if (reg.state === 'OutOfService' && reg.description === CLASSIC_DESCRIPTION.registering && reg.consecutiveFail < hc.unhealthyThreshold) return;
    setClassicState(world, lb, reg, 'OutOfService', 'Instance', CLASSIC_DESCRIPTION.failed);
  }
}
