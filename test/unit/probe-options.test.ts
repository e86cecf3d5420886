/**
 * The probe's transport options: --resolve (curl's HOST:PORT:ADDR[,ADDR…]), --host, --ca-cert, --insecure,
 * --probe, validated up front as one-line usage errors (exit 2), in flags and experiment files alike.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChaosError, ExitCode } from '../../src/core/errors.js';
import { validateRunOptions } from '../../src/experiment/config.js';
import { parseExperimentFile } from '../../src/experiment/file.js';
import { transportOptions, transportPlanLines } from '../../src/experiment/probe-transport.js';
import { formatResolve, parseResolve } from '../../src/observe/resolve.js';

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChaosError);
    expect((e as ChaosError).exitCode).toBe(ExitCode.Usage);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
};

const dir = mkdtempSync(join(tmpdir(), 'chaos-probe-opts-'));
const PEM = join(dir, 'ca.pem');
writeFileSync(PEM, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('--resolve', () => {
  it("parses curl's convention: several addresses, IPv6 in brackets, repeated and merged per host:port", () => {
    const m = parseResolve(['Shop.Example.Test:443:127.0.1.1,127.0.1.2', 'shop.example.test:443:[2001:DB8::1]', 'lb.elb.amazonaws.com:80:10.0.0.1']);
    expect([...m]).toEqual([
      ['shop.example.test:443', ['127.0.1.1', '127.0.1.2', '2001:db8::1']],
      ['lb.elb.amazonaws.com:80', ['10.0.0.1']],
    ]);
    expect(formatResolve(m)).toEqual(['shop.example.test:443:127.0.1.1,127.0.1.2,[2001:db8::1]', 'lb.elb.amazonaws.com:80:10.0.0.1']);
  });

  it.each([
    ['shop.example.test:443', 'is not HOST:PORT:ADDR'],
    ['shop.example.test:0:127.0.0.1', 'needs a port from 1 to 65535'],
    ['shop.example.test:http:127.0.0.1', 'needs a port from 1 to 65535'],
    ['shop.example.test:443:', 'needs at least one address'],
    ['shop.example.test:443:127.0.0.1,', 'needs at least one address'],
    ['shop.example.test:443:::1', 'without brackets'],
    ['shop.example.test:443:[127.0.0.1]', 'is not an IPv6 address'],
    ['shop.example.test:443:somewhere.test', 'is not an IP address'],
    [':443:127.0.0.1', 'is not HOST:PORT:ADDR'],
    ['bad/host:443:127.0.0.1', 'has no valid host name'],
  ])('refuses %s as one line, exit 2', (value, why) => {
    const msg = usage(() => validateRunOptions({ asg: 'a', resolve: [value] }, {}));
    expect(msg).toContain('--resolve:');
    expect(msg).toContain(why);
    expect(msg).not.toContain('\n');
  });

  it('reaches the config normalised and the probe as a map', () => {
    const cfg = validateRunOptions({ asg: 'a', resolve: ['x.test:443:127.0.1.1', 'x.test:443:127.0.1.2'] }, {});
    expect(cfg.resolve).toEqual(['x.test:443:127.0.1.1,127.0.1.2']);
    expect(transportOptions(cfg).resolve).toEqual(new Map([['x.test:443', ['127.0.1.1', '127.0.1.2']]]));
  });
});

describe('--host, --ca-cert, --insecure, --probe', () => {
  it('defaults: http, verified, no host override', () => {
    const cfg = validateRunOptions({ asg: 'a' }, {});
    expect(cfg).toMatchObject({ probe: 'http', insecure: false });
    expect(cfg.host).toBeUndefined();
    expect(transportOptions(cfg)).toEqual({ mode: 'http', insecure: false });
    expect(transportPlanLines(cfg)).toEqual([]);
  });

  it('reads the CA file at validation; a missing or non-PEM file is a usage error', () => {
    const cfg = validateRunOptions({ asg: 'a', caCert: PEM, host: 'shop.example.test', probe: 'tcp' }, {});
    expect(cfg).toMatchObject({ caCert: PEM, host: 'shop.example.test', probe: 'tcp' });
    expect(transportOptions(cfg).caCert).toContain('BEGIN CERTIFICATE');
    expect(usage(() => validateRunOptions({ asg: 'a', caCert: join(dir, 'nope.pem') }, {}))).toBe(`--ca-cert: cannot read '${join(dir, 'nope.pem')}': no such file`);
    const notPem = join(dir, 'x.txt');
    writeFileSync(notPem, 'hello');
    expect(usage(() => validateRunOptions({ asg: 'a', caCert: notPem }, {}))).toContain('holds no PEM certificate');
    expect(usage(() => validateRunOptions({ asg: 'a', caCert: dir }, {}))).toContain('a directory');
  });

  it('--insecure is flagged in the plan lines and conflicts with --ca-cert', () => {
    const cfg = validateRunOptions({ asg: 'a', insecure: true }, {});
    expect(transportPlanLines(cfg)[0]).toMatch(/^!! TLS certificate verification is OFF \(--insecure\)/);
    expect(usage(() => validateRunOptions({ asg: 'a', insecure: true, caCert: PEM }, {}))).toBe('--insecure and --ca-cert: give one or the other');
  });

  it('--host must be a bare name; --probe http or tcp', () => {
    expect(usage(() => validateRunOptions({ asg: 'a', host: 'https://shop.example.test' }, {}))).toContain('--host:');
    expect(usage(() => validateRunOptions({ asg: 'a', host: 'shop.example.test:443' }, {}))).toContain('--host:');
    expect(usage(() => validateRunOptions({ asg: 'a', probe: 'udp' }, {}))).toBe("--probe: 'udp' is not one of http, tcp");
  });

  it('an experiment file sets them in its probe section (several --resolve entries separated by spaces)', () => {
    const f = parseExperimentFile(
      [
        'experiments:',
        '  - name: https',
        '    target: { asg: web }',
        '    probe:',
        '      host: shop.example.test',
        '      resolve: "shop.example.test:443:127.0.1.1,127.0.1.2 lb.test:443:127.0.1.3"',
        `      caCert: ${PEM}`,
        '      mode: tcp',
      ].join('\n'),
      'x.yaml',
      {},
    );
    const cfg = validateRunOptions(f.experiments[0]!.raw, {});
    expect(cfg).toMatchObject({ host: 'shop.example.test', probe: 'tcp', caCert: PEM, resolve: ['shop.example.test:443:127.0.1.1,127.0.1.2', 'lb.test:443:127.0.1.3'] });
    expect(() => parseExperimentFile('experiments:\n  - target: { asg: web }\n    probe: { resolve: "x:1:nope" }\n', 'y.yaml', {})).toThrow(/probe\.resolve/);
  });
});
