/**
 * ELBv2 target health checks: per target group, every HealthCheckIntervalSeconds, an HTTP GET of the check
 * path on each registered (not draining) target, sent from the load balancer node in the target's AZ, so
 * NACLs apply to it exactly as to traffic.
 *
 * AWS rules followed (ELB user guide, "Health checks for your target groups"):
 * - Thresholds count CONSECUTIVE results. A new target leaves `initial` on its first passing check;
 *   unhealthy → healthy needs HealthyThresholdCount passes; healthy (or initial) → unhealthy needs
 *   UnhealthyThresholdCount failures.
 * - No answer within HealthCheckTimeoutSeconds → Target.Timeout; a wrong status → Target.ResponseCodeMismatch;
 *   a refused/reset connection → Target.FailedHealthChecks.
 * - An instance that is not running → `unused`, Target.InvalidState; a target group no load balancer uses →
 *   `unused`, Target.NotInUse. Draining targets leave the group when the deregistration delay is over.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { SandboxContext } from '../context.js';
import type { TargetGroup, TargetHealthReason, TargetRegistration } from '../world/types.js';
import { nodeIp, reachable } from './network.js';
import { tcpCheck } from './tcp-check.js';

/**
 * One connection per check, closed after it ("After each health check is completed, the load balancer node
 * closes the connection that was established for the health check", ALB user guide, Health checks for your
 * target groups): an agent that keeps nothing alive, shared, rather than `agent: false`, which builds a new
 * Agent for every request — at 1,000 targets, thousands a second.
 */
const CHECK_AGENT = new Agent({ keepAlive: false });

type Outcome = { ok: true } | { ok: false; reason: TargetHealthReason; code?: number };

/** Matcher HttpCode: "200", "200,202", "200-299". */
export function matchesCode(matcher: string, code: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return hi === undefined ? code === lo : code >= lo! && code <= hi;
  });
}

export class HealthChecker {
  /** targetGroupArn → its check loop and the interval it was started with. */
  private readonly loops = new Map<string, { handle: NodeJS.Timeout | undefined; intervalMs: number }>();
  private readonly inFlight = new Set<TargetRegistration>();
  /** Checks completed since start (bench/sandbox-scale.mjs reports them per second). */
  checksDone = 0;

  constructor(private readonly ctx: SandboxContext) {}

  /** Starts, restarts (interval changed) or stops the loops to match the World's target groups. */
  sync(): void {
    const { world, timers } = this.ctx;
    for (const [arn, loop] of this.loops) {
      const tg = world.targetGroups.get(arn);
      if (!tg || loop.intervalMs !== this.intervalMs(tg)) {
        timers.cancel(loop.handle);
        this.loops.delete(arn);
      }
    }
    for (const tg of world.targetGroups.values()) {
      if (this.loops.has(tg.targetGroupArn)) continue;
      const intervalMs = this.intervalMs(tg);
      const handle = timers.every(intervalMs, () => this.round(tg.targetGroupArn));
      this.loops.set(tg.targetGroupArn, { handle, intervalMs });
    }
  }

  stop(): void {
    for (const loop of this.loops.values()) this.ctx.timers.cancel(loop.handle);
    this.loops.clear();
  }

  private intervalMs(tg: TargetGroup): number {
    return Math.max(10, tg.healthCheck.intervalSeconds * 1000);
  }

  /** One health-check round over a target group. */
  round(targetGroupArn: string): void {
    const { world } = this.ctx;
    const tg = world.targetGroups.get(targetGroupArn);
    if (!tg) return this.sync();
    if (this.intervalMs(tg) !== this.loops.get(targetGroupArn)?.intervalMs) this.sync();
    const now = world.now();
    for (const reg of [...world.targetsOf(targetGroupArn).values()]) {
      if (reg.state === 'draining' || reg.state === 'unhealthy.draining') {
        if (reg.drainingUntil !== undefined && now >= reg.drainingUntil) world.removeTarget(reg);
        continue;
      }
      if (this.inFlight.has(reg)) continue;
      const inst = world.instances.get(reg.targetId);
      if (!inst || (inst.state !== 'running' && inst.state !== 'pending')) {
        world.setTargetState(reg, 'unused', 'Target.InvalidState');
        continue;
      }
      if (inst.state === 'pending') continue; // still Elb.RegistrationInProgress
      const lb = tg.loadBalancerArns.map((a) => world.loadBalancers.get(a)).find((l) => l !== undefined);
      if (!lb) {
        world.setTargetState(reg, 'unused', 'Target.NotInUse');
        continue;
      }
      if (!tg.healthCheck.enabled) {
        world.setTargetState(reg, 'unavailable', 'Target.HealthCheckDisabled');
        continue;
      }
      // Checks come from the node in the target's own zone when there is one (else the first node).
      const node = lb.availabilityZones.find((z) => z.zoneName === inst.availabilityZone) ?? lb.availabilityZones[0];
      if (!node) continue;
      this.inFlight.add(reg);
      const port = tg.healthCheck.port === 'traffic-port' ? reg.port : Number(tg.healthCheck.port);
      const blocked = !reachable(world, { subnetId: node.subnetId, ip: nodeIp(world, node.subnetId) }, { subnetId: inst.subnetId, ip: inst.privateIpAddress }, port);
      void this.check(tg, inst.port, blocked).then((outcome) => {
        this.inFlight.delete(reg);
        this.checksDone++;
        // The registration may have been replaced or deregistered while the check was in flight.
        if (world.targetsOf(targetGroupArn).get(reg.targetId) !== reg || reg.state.includes('draining')) return;
        const cur = world.instances.get(reg.targetId);
        if (!cur || cur.state !== 'running') return;
        this.apply(tg, reg, outcome);
      });
    }
  }

  private check(tg: TargetGroup, port: number | undefined, blocked: boolean): Promise<Outcome> {
    const timeoutMs = Math.max(1, tg.healthCheck.timeoutSeconds * 1000);
    return new Promise((resolve) => {
      if (blocked) {
        // Dropped packets: nothing comes back, so the check fails only when its timeout runs out.
        this.ctx.timers.after(timeoutMs, () => resolve({ ok: false, reason: 'Target.Timeout' }));
        return;
      }
      if (port === undefined) return resolve({ ok: false, reason: 'Target.FailedHealthChecks' });
      if (tg.healthCheck.protocol === 'TCP') return void tcpCheck(port, timeoutMs).then(resolve); // NLB groups (tcp-check.ts)
      const req = httpRequest({ host: '127.0.0.1', port, path: tg.healthCheck.path, method: 'GET', agent: CHECK_AGENT }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(matchesCode(tg.healthCheck.matcher, code) ? { ok: true } : { ok: false, reason: 'Target.ResponseCodeMismatch', code });
      });
      req.setTimeout(timeoutMs, () => {
        // Timers run before I/O in a turn of the event loop: when the sandbox itself is busy (1,000 targets on
        // a loaded machine) the timeout can fire while the target's answer is already waiting to be read.
        // That answer gets this one turn; the sandbox's own lag must not make a healthy target fail.
        setImmediate(() => {
          req.destroy();
          resolve({ ok: false, reason: 'Target.Timeout' });
        });
      });
      req.once('error', () => resolve({ ok: false, reason: 'Target.FailedHealthChecks' }));
      req.end();
    });
  }

  private apply(tg: TargetGroup, reg: TargetRegistration, outcome: Outcome): void {
    const { world } = this.ctx;
    const hc = tg.healthCheck;
    if (outcome.ok) {
      reg.consecutiveOk++;
      reg.consecutiveFail = 0;
      const needed = reg.state === 'initial' || reg.state === 'unused' ? 1 : hc.healthyThresholdCount;
      if (reg.state !== 'healthy' && reg.consecutiveOk >= needed) world.setTargetState(reg, 'healthy');
      return;
    }
    reg.consecutiveFail++;
    reg.consecutiveOk = 0;
    if (reg.state === 'initial' && reg.consecutiveFail < hc.unhealthyThresholdCount) {
      world.setTargetState(reg, 'initial', 'Elb.InitialHealthChecking');
      return;
    }
    if (reg.state === 'unhealthy' || reg.consecutiveFail >= hc.unhealthyThresholdCount) {
      world.setTargetState(reg, 'unhealthy', outcome.reason);
      if (outcome.reason === 'Target.ResponseCodeMismatch' && outcome.code !== undefined) {
        reg.description = `Health checks failed with these codes: [${outcome.code}]`;
      }
    }
  }
}
