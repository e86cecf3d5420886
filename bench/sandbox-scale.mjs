// The sandbox at scale (issue 13, item 5): an Auto Scaling group of N instances behind one ALB over 3 AZs, built
// through the sandbox's own API with the real SDK clients (fast profile), from CreateAutoScalingGroup to all N
// InService and healthy; then steady-state cost (CPU per second while the health checker checks every target,
// the reconciler ticks and nothing else happens); then TerminateInstances on 10 % of them and the time until
// the group has replaced them and every target is healthy again. Each size runs in a fresh process (RSS and
// CPU are that process's alone), sizes 250, 500, 1000, so the cost per instance can be compared.
// Times come from the sandbox's ground-truth events, not from polling.
//
//   node bench/sandbox-scale.mjs [--quick]           (needs `npm run build`)
//   node bench/sandbox-scale.mjs --size 1000         one size, one JSON line (what the parent runs)
// Exported for bench/run.mjs: run({ quick }) → { title, lines, checks }.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/** Cost per instance at the largest size ÷ at the smallest: linear is 1; the target allows noise, not a trend. */
const LINEAR_TARGET = 1.5;

const cpuMs = (from) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** Resolves when `done()` holds, re-checked on every World event (never by polling); rejects after `ms`. */
function until(world, done, ms, what) {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    const timer = setTimeout(() => (off(), reject(new Error(`${what}: not within ${ms} ms`))), ms);
    const off = world.subscribe(() => {
      if (!done()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Counts InService members and healthy targets from events (O(1) per event, so the bench itself stays linear). */
function tally(world, asgName, targetGroupArn) {
  const inService = new Set();
  const healthy = new Set();
  const track = (set, id, on) => (on ? set.add(id) : set.delete(id));
  world.subscribe((e) => {
    if (e.type === 'asg-lifecycle' && e.asgName === asgName) track(inService, e.instanceId, e.to === 'InService');
    else if (e.type === 'target-health' && e.targetGroupArn === targetGroupArn) track(healthy, e.targetId, e.to === 'healthy');
  });
  return { inService, healthy, steady: (n) => inService.size === n && healthy.size === n && [...inService].every((id) => healthy.has(id)) };
}

/** One size in this process: prints one JSON line of figures. */
async function measure(n) {
  const { startSandbox, SANDBOX_CREDENTIALS } = await import('../dist/sandbox/index.js');
  const { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateLaunchTemplateCommand, TerminateInstancesCommand } = await import('@aws-sdk/client-ec2');
  const { AutoScalingClient, CreateAutoScalingGroupCommand } = await import('@aws-sdk/client-auto-scaling');
  const elbv2 = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const sb = await startSandbox({ port: 0, profile: 'fast' });
  const cfg = { endpoint: sb.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  const ec2 = new EC2Client(cfg);
  const asg = new AutoScalingClient(cfg);
  const elb = new elbv2.ElasticLoadBalancingV2Client(cfg);
  try {
    // A /16 VPC, per AZ a /20 for instances (4,091 usable addresses: AWS reserves 5 per subnet) and a /24 for the load balancer.
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc.VpcId;
    const subnets = [];
    const lbSubnets = [];
    for (const [i, zone] of ZONES.entries()) {
      subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i * 16}.0/20`, AvailabilityZone: zone }))).Subnet.SubnetId);
      lbSubnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${200 + i}.0/24`, AvailabilityZone: zone }))).Subnet.SubnetId);
    }
    const lt = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'scale-lt', LaunchTemplateData: { ImageId: 'ami-0c0ffee0c0ffee000', InstanceType: 't3.micro' } }));
    const tg = await elb.send(new elbv2.CreateTargetGroupCommand({ Name: 'scale-tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'instance', HealthCheckPath: '/health' }));
    const targetGroupArn = tg.TargetGroups[0].TargetGroupArn;
    const lb = (await elb.send(new elbv2.CreateLoadBalancerCommand({ Name: 'scale-alb', Subnets: lbSubnets, Type: 'application' }))).LoadBalancers[0];
    const listener = await elb.send(
      new elbv2.CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }),
    );
    const port = listener.Listeners[0].Port;
    const count = tally(sb.world, 'scale-asg', targetGroupArn);

    // Scale-out: from CreateAutoScalingGroup to n InService and healthy.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'scale-asg',
        LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId, Version: '$Default' },
        MinSize: 1,
        MaxSize: n * 2,
        DesiredCapacity: n,
        VPCZoneIdentifier: subnets.join(','),
        HealthCheckType: 'ELB',
        HealthCheckGracePeriod: 5,
        TargetGroupARNs: [targetGroupArn],
      }),
    );
    await until(sb.world, () => count.steady(n), 120_000, `${n} InService and healthy`);
    const allHealthyMs = performance.now() - t0;
    const scaleOutCpuMs = cpuMs(cpu0);

    // Steady state: nothing changes; what the process spends is the health checker's rounds (one check per
    // target per interval) plus the reconciler's ticks over the group.
    const steadySeconds = n >= 1000 ? 6 : 4;
    const rss0 = process.memoryUsage().rss;
    const cpu1 = process.cpuUsage();
    const checks0 = countChecks(sb);
    const s0 = performance.now();
    await new Promise((r) => setTimeout(r, steadySeconds * 1000));
    const steadyCpuMs = cpuMs(cpu1);
    const steadyWallS = (performance.now() - s0) / 1000;
    const healthChecksPerSecond = (countChecks(sb) - checks0) / steadyWallS;
    const steadyRssMb = Math.max(rss0, process.memoryUsage().rss) / 1e6;

    // Traffic through the load balancer: every target serves.
    const nodes = sb.world.loadBalancers.get(lb.LoadBalancerArn).availabilityZones.map((z) => z.nodeAddress);
    const served = new Set();
    let lbErrors = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let i = w; i < n * 2; i += 20) {
          const res = await fetch(`http://${nodes[i % nodes.length]}:${port}/`);
          await res.arrayBuffer();
          if (res.status !== 200) lbErrors++;
          served.add(res.headers.get('x-instance-id'));
        }
      }),
    );

    // Terminate 10 % (TerminateInstances, as a fault would): the group replaces them, at most 10 % at a time.
    const victims = [...count.inService].filter((_, i) => i % 10 === 0).slice(0, Math.ceil(n / 10));
    const cpu2 = process.cpuUsage();
    const k0 = performance.now();
    for (let i = 0; i < victims.length; i += 50) await ec2.send(new TerminateInstancesCommand({ InstanceIds: victims.slice(i, i + 50) }));
    await until(sb.world, () => victims.every((id) => !sb.world.asgInstances.has(id)) && count.steady(n), 120_000, `${victims.length} replaced`);
    const replacedMs = performance.now() - k0;
    const replaceCpuMs = cpuMs(cpu2);

    const out = {
      instances: n,
      allHealthyMs: Math.round(allHealthyMs),
      scaleOutCpuMs: Math.round(scaleOutCpuMs),
      steadyCpuMsPerS: Math.round((steadyCpuMs / steadyWallS) * 10) / 10,
      healthChecksPerSecond: Math.round(healthChecksPerSecond),
      steadyRssMb: Math.round(steadyRssMb),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1e3),
      served: served.size,
      lbErrors,
      terminated: victims.length,
      replacedMs: Math.round(replacedMs),
      replaceCpuMs: Math.round(replaceCpuMs),
      events: sb.world.events().length,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    for (const c of [ec2, asg, elb]) c.destroy();
    await sb.close();
  }
}

/** Target health checks completed so far (the data plane's own counter). */
function countChecks(sb) {
  return sb.ctx.dataplane.healthChecker?.checksDone ?? NaN;
}

function child(n) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SELF, '--size', String(n)],
      { timeout: 300_000, maxBuffer: 1 << 20, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`size ${n}: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
      },
    );
  });
}

export async function run({ quick = false } = {}) {
  const sizes = quick ? [250, 1000] : [250, 500, 1000];
  const results = [];
  for (const n of sizes) results.push(await child(n));
  const { PROFILES } = await import('../dist/sandbox/index.js');
  const fast = PROFILES.fast;
  const usPerCheck = (r) => (r.steadyCpuMsPerS / r.healthChecksPerSecond) * 1000;
  const lines = [
    `Fast profile: health check every ${fast.healthCheckIntervalSeconds} s (timeout ${fast.healthCheckTimeoutSeconds} s, healthy after ${fast.healthyThresholdCount}), ` +
      `boot ${fast.bootMs} ms, reconciler tick ${fast.asgTickMs} ms; one ALB over 3 AZs, HealthCheckType ELB, one fresh process per size. ` +
      'Steady state: CPU of the whole sandbox process while nothing changes (health checks, reconciler ticks), per second and per completed health check.',
    '',
    '| instances | all InService + healthy | CPU to get there | steady CPU | health checks/s | CPU per check | steady RSS | peak RSS | served by the LB | 10 % terminated → replaced, all healthy |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.instances} | ${(r.allHealthyMs / 1000).toFixed(1)} s | ${(r.scaleOutCpuMs / 1000).toFixed(2)} s (${(r.scaleOutCpuMs / r.instances).toFixed(2)} ms/instance) | ` +
        `${r.steadyCpuMsPerS} ms/s | ${r.healthChecksPerSecond} | ${usPerCheck(r).toFixed(0)} µs | ${r.steadyRssMb} MB | ${r.peakRssMb} MB | ` +
        `${r.served} instances, ${r.lbErrors} LB errors | ${r.terminated} in ${(r.replacedMs / 1000).toFixed(1)} s (${(r.replaceCpuMs / 1000).toFixed(2)} s CPU) |`,
    ),
  ];
  const small = results[0];
  const big = results.at(-1);
  const ratio = (a, b) => Math.round((a / b) * 100) / 100;
  const checks = [
    { name: `sandbox ${big.instances}: all InService and healthy`, value: `${(big.allHealthyMs / 1000).toFixed(1)} s`, target: '≤ 60 s', pass: big.allHealthyMs <= 60_000 },
    {
      name: `sandbox ${big.instances}: every target serves through the LB, no LB errors`,
      value: `${big.served} served, ${big.lbErrors} errors`,
      target: `≥ ${big.instances} served, 0 errors`,
      pass: big.served >= big.instances && big.lbErrors === 0,
    },
    { name: `sandbox ${big.instances}: 10 % terminated, replaced and healthy`, value: `${(big.replacedMs / 1000).toFixed(1)} s`, target: '≤ 60 s', pass: big.replacedMs <= 60_000 },
    ...[
      ['CPU per health check', usPerCheck(big), usPerCheck(small)],
      ['scale-out CPU per instance', big.scaleOutCpuMs / big.instances, small.scaleOutCpuMs / small.instances],
    ].map(([what, a, b]) => {
      const r = ratio(a, b);
      return { name: `sandbox ${what}, ${big.instances} vs ${small.instances} instances`, value: `${r}×`, target: `≤ ${LINEAR_TARGET}× (linear = 1)`, pass: r <= LINEAR_TARGET };
    }),
  ];
  return { title: 'Sandbox at scale', lines, checks };
}

const sizeFlag = process.argv.indexOf('--size');
if (sizeFlag > 0) {
  await measure(Number(process.argv[sizeFlag + 1]));
} else if (process.argv[1] === SELF) {
  const r = await run({ quick: process.argv.includes('--quick') });
  console.log(`## ${r.title}\n\n${r.lines.join('\n')}\n`);
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.value} (target ${c.target})`);
  process.exitCode = r.checks.every((c) => c.pass) ? 0 : 1;
}
