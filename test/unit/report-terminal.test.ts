import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { FAIL_OPEN_WARNING, renderSummary } from '../../src/report/terminal.js';
import { loadFixture, stripAnsi } from './report-fixtures.js';

const plain = (r: Report, width = 80): string => renderSummary(r, { color: false, width });
const lines = (s: string): string[] => s.split('\n');
/** The line that starts (after indentation) with `start`. */
const line = (s: string, start: string): string => {
  const found = lines(s).find((l) => l.trimStart().startsWith(start));
  expect(found, `a line starting with '${start}'`).toBeDefined();
  return found as string;
};
/** Collapses wrapping so wrapped sentences can be matched whole. */
const flat = (s: string): string => s.replace(/\s+/g, ' ');

describe('renderSummary', () => {
  it('summarises a passing run: banner, target, fault, recovery, probe, timeline, gates, chart', () => {
    const out = plain(loadFixture('pass'));
    expect(lines(out)[1]).toBe('  PASS   exit 0 · exp-20250314-100000-pass · ran 1m22s');
    expect(line(out, 'account / region')).toContain('123456789012 · eu-west-1');
    expect(line(out, 'Auto Scaling group')).toContain('web-asg');
    expect(out).toContain('http://web-alb-1234567890.eu-west-1.elb.amazonaws.com/health');
    expect(line(out, 'load balancers')).toContain('app/web-alb/50dc6c495c0c9188');
    expect(line(out, 'kind')).toContain('terminate-instances (count 1)');
    expect(line(out, 'injected at')).toContain('2025-03-14T10:00:10.400Z (t0)');
    expect(line(out, 'instance ')).toContain('i-0a1b2c3d4e5f60718 (eu-west-1a)');

    expect(line(out, 'time to impact')).toMatch(/ 210ms$/);
    expect(line(out, 'service recovered')).toMatch(/ 3\.0s$/);
    expect(line(out, 'capacity recovered')).toMatch(/ 47\.3s$/);
    expect(line(out, 'capacity lost')).toMatch(/ 1\.8s$/);
    expect(line(out, 'replacement launched')).toMatch(/ 9\.2s$/);
    expect(line(out, 'InService ')).toMatch(/ 31\.8s$/);
    expect(line(out, 'target healthy')).toMatch(/ 47\.3s$/);

    expect(line(out, 'requests')).toContain('sent 3,500 · ok 3,487 · failed 13 · late 0');
    expect(line(out, 'availability')).toMatch(/ 99\.62%$/);
    expect(line(out, 'latency')).toContain('p50 3.2ms · p95 7.9ms · p99 9.4ms · max 60ms');
    expect(line(out, 'errors  ')).toMatch(/ http_502 13$/);

    expect(line(out, '-10.4s')).toBe('  -10.4s  probe-started 50 req/s');
    expect(line(out, '+0ms')).toBe('    +0ms  fault-injected i-0a1b2c3d4e5f60718 (eu-west-1a) TerminateInstances');
    expect(line(out, '+47.3s  capacity-recovered')).toContain('InService 4/4, healthy 4/4');

    expect(line(out, 'serviceRecoveredMs')).toMatch(/1m00s +3\.0s +PASS$/);
    expect(line(out, 'availability ')).toBeDefined();
    expect(lines(out).filter((l) => /\bPASS$/.test(l))).toHaveLength(3);
    expect(out).toContain('errors per second  (peak 7');
    expect(out).not.toContain('WARNING');
  });

  it('summarises a failed run: reason, not-recovered figures, failed gates with detail', () => {
    const r = loadFixture('fail');
    const out = plain(r);
    expect(lines(out)[1]).toMatch(/^ {2}FAIL {3}exit 1 · exp-20250314-110000-fail/);
    expect(flat(out)).toContain(r.reason as string);
    expect(line(out, 'service recovered')).toMatch(/— not recovered before the timeout$/);
    expect(line(out, 'capacity recovered')).toMatch(/— not recovered before the timeout$/);
    expect(line(out, 'InService ')).toMatch(/ —$/);
    expect(line(out, 'replacement launched')).toMatch(/ 1m16s$/);
    expect(line(out, 'kind')).toContain('blackhole-az (50% in eu-west-1b)');
    expect(line(out, 'instances (2)')).toContain('i-0b2c3d4e5f6071829 (eu-west-1b)');
    expect(out).toMatch(/^ {26}i-0c3d4e5f607182930 \(eu-west-1b\)$/m);
    expect(line(out, 'probe saturated')).toContain('3s');
    expect(line(out, 'availability')).toMatch(/ 67\.93%$/);
    expect(line(out, 'errors  ')).toContain('timeout 2,742 · http_504 465');

    expect(line(out, 'recovered ')).toMatch(/true +false +FAIL$/);
    expect(out).toContain('    neither service nor capacity recovered before the 3m timeout');
    expect(line(out, 'serviceRecoveredMs')).toMatch(/1m00s +— +FAIL$/);
    expect(line(out, 'availability ')).toBeDefined();
    expect(lines(out).filter((l) => /\bFAIL$/.test(l))).toHaveLength(3);

    expect(line(out, '+3m00s  rollback')).toContain('subnet-0a1b2c3d4e5f67890 restored');
    // A long timeline detail wraps under the event text, not under the time column.
    const i = lines(out).findIndex((l) => l.includes('+1m16s  asg-activity'));
    expect(lines(out)[i + 1]).toMatch(/^ {10}\S/);
    expect(out).toContain('1 column = 3.0s, max shown');
    expect(out).toContain('saturated');
  });

  it('shouts the fail-open warning when every target of a group was unhealthy', () => {
    const r = loadFixture('failopen');
    const out = plain(r);
    expect(lines(out)[1]).toMatch(/^ {2}PASS /);
    expect(flat(out)).toContain(`⚠ WARNING: ${FAIL_OPEN_WARNING}`);
    const warnAt = lines(out).findIndex((l) => l.includes('WARNING'));
    const recoveryAt = lines(out).indexOf('Recovery  (time since t0)');
    const probeAt = lines(out).findIndex((l) => l.startsWith('Probe'));
    expect(warnAt).toBeGreaterThan(recoveryAt);
    expect(warnAt).toBeLessThan(probeAt);
    expect(plain({ ...r, recovery: { ...r.recovery!, failOpenSeen: false } })).not.toContain('failed open');
  });

  it('fits every line in the requested width', () => {
    for (const name of ['pass', 'fail', 'failopen'] as const) {
      for (const width of [80, 60]) {
        const out = plain(loadFixture(name), width);
        for (const l of lines(out)) expect([...l].length, `${name}@${width}: ${l}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it('renders a run aborted before injecting: no fault, recovery, probe or chart', () => {
    const base = loadFixture('pass');
    const aborted: Report = {
      ...base,
      verdict: 'aborted',
      exitCode: 3,
      reason: 'steady state not met: 2 of 4 targets healthy, need 4',
      fault: null,
      recovery: null,
      probe: null,
      timeline: [],
      gates: [],
      steadyState: { pass: false, checks: [{ name: 'capacity', pass: false, detail: 'healthy targets 2/4' }] },
    };
    const out = plain(aborted);
    expect(lines(out)[1]).toMatch(/^ {2}ABORTED {3}exit 3 /);
    expect(out).toContain('  steady state not met: 2 of 4 targets healthy, need 4');
    expect(line(out, 'Steady state')).toContain('NOT met');
    expect(line(out, '✗ capacity')).toContain('healthy targets 2/4');
    expect(out).toContain('none injected');
    expect(out).toContain('no probe data');
    expect(out).not.toContain('Timeline');
    expect(out).not.toContain('Per second');
    expect(line(out, 'Gates')).toBeDefined();
    expect(out).toContain('none configured');

    const errored = plain({ ...aborted, verdict: 'error', exitCode: 5, reason: 'AccessDenied on DescribeAutoScalingGroups' });
    expect(lines(errored)[1]).toMatch(/^ {2}ERROR {3}exit 5 /);
  });

  it('colors only when asked, and coloring changes nothing else', () => {
    for (const name of ['pass', 'fail', 'failopen'] as const) {
      const r = loadFixture(name);
      const colored = renderSummary(r, { color: true, width: 80 });
      expect(colored).toContain('\u001b[');
      expect(plain(r)).not.toContain('\u001b[');
      expect(stripAnsi(colored)).toBe(plain(r));
    }
  });
});

describe('renderSummary: blackhole and rollback', () => {
  const withBlackhole = (ok: boolean, status: 'complete' | 'incomplete'): Report => ({
    ...loadFixture('pass'),
    fault: {
      ...loadFixture('pass').fault!,
      kind: 'blackhole-az',
      detail: {
        az: 'eu-west-1b',
        azChosenBy: 'random',
        durationMs: 60_000,
        subnets: [{ subnetId: 'subnet-0aaa', vpcId: 'vpc-1', availabilityZone: 'eu-west-1b', role: 'instances', originalNaclId: 'acl-orig' }],
        chaosNacls: [{ vpcId: 'vpc-1', networkAclId: 'acl-chaos' }],
        associationChanges: [],
        restoreVerification: { verified: ok, checks: [{ subnetId: 'subnet-0aaa', expectedNaclId: 'acl-orig', actualNaclId: ok ? 'acl-orig' : 'acl-chaos', ok }] },
        asgReaction: { instancesLost: [], replacements: [{ instanceId: 'i-1', availabilityZone: 'eu-west-1b', atMs: 1 }], replacementsIntoDarkAz: 1 },
      },
    },
    rollback: status === 'complete' ? { status, remaining: [] } : { status, remaining: ['subnet-0aaa on acl-chaos'], recoverCommand: 'chaos-ec2 recover --experiment-id x --yes' },
  });

  it('shows the AZ, each subnet restored, the chaos NACL and where Auto Scaling launched', () => {
    const out = plain(withBlackhole(true, 'complete'));
    expect(line(out, 'AZ')).toContain('eu-west-1b (seeded random), held 1m00s');
    expect(line(out, 'instances subnet')).toMatch(/subnet-0aaa original acl-orig restored ✓/);
    expect(line(out, 'chaos NACLs')).toContain('acl-chaos');
    expect(line(out, 'Auto Scaling reaction')).toContain('1 replaced (1 into the dark AZ)');
    expect(out).toContain('Rollback  complete');
  });

  it('says loudly what is still injected and how to finish, when the rollback is incomplete', () => {
    const out = plain(withBlackhole(false, 'incomplete'));
    expect(flat(out)).toContain('NOT restored (on acl-chaos)');
    expect(out).toContain('Rollback  INCOMPLETE — still injected:');
    expect(out).toContain('subnet-0aaa on acl-chaos');
    expect(flat(out)).toContain('finish it with chaos-ec2 recover --experiment-id x --yes');
  });
});
