/**
 * The option table: generic parsers and their limits, the one validator (flags and file values alike), fault
 * options declared by the faults, RunConfig kept in step with the table, and the generated JSON schema.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addOptions, flagSpec, withRunFlagTable } from '../../src/cli/options.js';
import { RUN_FLAGS } from '../../src/cli/commands/run-flags.js';
import { duration, headers, int, list, number, OptionError, parseOptions, rate, statusCodes, text, url, type OptionDef } from '../../src/core/options.js';
import { validateRunOptions, type RunConfig } from '../../src/experiment/config.js';
import { GATE_OPTION_SET, RUN_OPTIONS } from '../../src/experiment/run-options.js';
import { experimentSchema } from '../../src/experiment/schema.js';
import { FAULT_METAS, FAULT_OPTIONS, faultsAccepting } from '../../src/faults/catalog.js';

const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return (e as Error).message;
  }
  throw new Error('expected an OptionError');
};

describe('generic parsers', () => {
  it('duration: grammar, limits, and absurd values as a one-line error (never a RangeError)', () => {
    const d = duration(1000, 12 * 3_600_000);
    expect(d.parse('1m30s')).toBe(90_000);
    expect(d.parse('12h')).toBe(43_200_000);
    expect(d.parse('2')).toBe(2000);
    expect(err(() => d.parse('12h1ms'))).toBe("'12h1ms' must be from 1s to 12h");
    expect(err(() => d.parse('999ms'))).toBe("'999ms' must be from 1s to 12h");
    expect(err(() => d.parse('99999999999999999999h'))).toBe("'99999999999999999999h' must be from 1s to 12h");
    expect(err(() => d.parse(`${'9'.repeat(400)}h`))).toMatch(/must be from 1s to 12h$/);
    expect(err(() => d.parse('soon'))).toBe("'soon' is not a duration (use e.g. 500ms, 30s, 5m)");
  });

  it('numbers, whole numbers, rates', () => {
    expect(number(0.1, 50_000).parse('0.5')).toBe(0.5);
    expect(err(() => number(0.1, 50_000).parse('fast'))).toBe("'fast' must be a number from 0.1 to 50000");
    expect(err(() => number(0.1, 50_000).parse(''))).toMatch(/must be a number/);
    expect(err(() => int(1, 10).parse('1.5'))).toBe("'1.5' must be a whole number from 1 to 10");
    expect(err(() => int(1, 10).parse('1e400'))).toMatch(/whole number/);
    expect(rate().parse('1%')).toBe(0.01);
    expect(err(() => rate().parse('101%'))).toMatch(/rate from 0 to 1/);
  });

  it('text, lists, headers, status codes, URLs', () => {
    expect(err(() => text().parse('  '))).toBe('must not be empty');
    expect(text({ pattern: /^[A-Za-z]+$/, upper: true }).parse('head')).toBe('HEAD');
    expect(list(['json', 'md']).parse('md, json,md')).toEqual(['md', 'json']);
    expect(err(() => list(['json', 'md']).parse('pdf'))).toMatch(/unknown pdf; choose from json, md/);
    expect(headers().parse(['Authorization: Bearer a:b', 'X-A:1'])).toEqual({ Authorization: 'Bearer a:b', 'X-A': '1' });
    expect(err(() => headers().parse(['ok: 1', 'bad header: 2', 'nocolon']))).toBe("'bad header: …', 'nocolon' must look like 'Name: value' (the name an HTTP token)");
    expect(statusCodes().parse('200, 204')).toEqual([200, 204]);
    expect(err(() => statusCodes().parse('200,600'))).toMatch(/HTTP status codes/);
    expect(err(() => url().parse('ftp://x'))).toMatch(/http:\/\/ or https:\/\//);
  });

  it('parseOptions: every problem at once, defaults filled, conflicts and required named by flag', () => {
    const defs: OptionDef[] = [
      { name: 'a', flag: '--a', arg: '<n>', parser: int(1, 5), default: 2, help: '', conflicts: ['b'] },
      { name: 'b', flag: '--b', arg: '<n>', parser: int(1, 5), help: '' },
      { name: 'c', flag: '--c', arg: '<x>', parser: text(), required: 'the c', help: '' },
    ];
    expect(parseOptions(defs, {})).toMatchObject({ values: { a: 2 }, errors: ['--c: required (the c)'] });
    expect(parseOptions(defs, { a: '9', b: 'x', c: 'y' }).errors).toEqual([
      "--a: '9' must be a whole number from 1 to 5",
      "--b: 'x' must be a whole number from 1 to 5",
      '--a and --b: give one or the other',
    ]);
  });
});

describe('the run option table', () => {
  it('commander attribute names are the option names (raw flags and file values share keys)', () => {
    const cmd = addOptions(new Command(), RUN_FLAGS, { parse: false });
    for (const def of RUN_FLAGS) expect(cmd.options.find((o) => o.flags === flagSpec(def))?.attributeName(), def.flag).toBe(def.name);
    expect(new Set(RUN_FLAGS.map((d) => d.flag)).size).toBe(RUN_FLAGS.length);
  });

  it('RunConfig and the table are in step: every field set by an option, every option sets a field', () => {
    // Exhaustive over RunConfig's keys: a new field without an entry here fails the typecheck.
    const fields: Record<keyof RunConfig, true> = {
      asg: true,
      fault: true,
      count: true,
      percent: true,
      az: true,
      region: true,
      profile: true,
      endpoint: true,
      url: true,
      path: true,
      baselineMs: true,
      rate: true,
      timeoutMs: true,
      method: true,
      headers: true,
      expectStatus: true,
      probe: true,
      host: true,
      resolve: true,
      caCert: true,
      insecure: true,
      seed: true,
      minHealthy: true,
      minHealthyPerAz: true,
      yes: true,
      dryRun: true,
      allowUntagged: true,
      pollMs: true,
      recoveryTimeoutMs: true,
      steadyMs: true,
      steadyErrorRate: true,
      steadyP99Ms: true,
      reportDir: true,
      json: true,
      durationMs: true,
      includeLbSubnets: true,
      allowSharedSubnets: true,
      abortErrorRate: true,
      abortAfterMs: true,
      gates: true,
      formats: true,
      minIntervalMs: true,
      notify: true,
      notifyFormat: true,
      bootAllowanceMs: true,
      nlbRegistrationAllowanceMs: true,
      allowShortTimeout: true,
      allowSuspendedProcesses: true,
      stopAlarms: true,
      allowInsufficientData: true,
      metricsNamespace: true,
      engine: true,
      fisRoleArn: true,
      keepTemplate: true,
    };
    const fromTable = RUN_OPTIONS.filter((d) => !GATE_OPTION_SET.has(d)).map((d) => d.field ?? d.name);
    // `gates` is the one field the gate options fill together (thresholds by name).
    expect(new Set(fromTable)).toEqual(new Set(Object.keys(fields).filter((k) => k !== 'gates')));
  });

  it('defaults come from the table alone', () => {
    const cfg = validateRunOptions({ asg: 'a' }, {});
    expect(cfg).toMatchObject({
      fault: 'terminate-instances',
      rate: 20,
      baselineMs: 10_000,
      timeoutMs: 2000,
      pollMs: 5000,
      recoveryTimeoutMs: 600_000,
      durationMs: 60_000,
      abortAfterMs: 5000,
      method: 'GET',
      path: '/',
      headers: {},
      formats: ['json'],
      reportDir: './chaos-reports',
      includeLbSubnets: false,
      yes: false,
      gates: {},
    });
    expect(cfg.count).toBeUndefined();
    expect(validateRunOptions({ asg: 'a' }, { CHAOS_EC2_REPORT_DIR: '/r' }).reportDir).toBe('/r');
    expect(validateRunOptions({ asg: 'a', format: 'html', maxP99: '500ms' }, {})).toMatchObject({ formats: ['json', 'html'], gates: { maxP99Ms: 500 } });
  });

  it('durations that become timers have maxima: recovery ≤ 24h, fault hold ≤ 12h', () => {
    const messages = (raw: Record<string, string>): string[] => {
      try {
        validateRunOptions({ asg: 'a', ...raw }, {});
      } catch (e) {
        return (e as Error).message.split('\n').map((l) => l.trim());
      }
      return [];
    };
    expect(messages({ recoveryTimeout: '24h' })).toEqual([]);
    expect(messages({ recoveryTimeout: '25h' })).toEqual(["--recovery-timeout: '25h' must be from 1s to 24h"]);
    expect(messages({ fault: 'blackhole-az', duration: '99999999999999999999h', steady: '2h', poll: '10m' })).toEqual([
      '3 problems with the options:',
      "--duration: '99999999999999999999h' must be from 1s to 12h",
      "--poll: '10m' must be from 100ms to 5m",
      "--steady: '2h' must be from 1s to 1h",
    ]);
  });
});

describe('fault options', () => {
  it('are declared by the faults; which faults accept one is derived from their metas', () => {
    const byFlag = Object.fromEntries(FAULT_OPTIONS.map((d) => [d.flag, faultsAccepting(d)]));
    expect(byFlag).toEqual({
      '--count': ['terminate-instances', 'stop-instances'],
      '--percent': ['terminate-instances', 'stop-instances'],
      '--az': ['terminate-instances', 'blackhole-az', 'stop-instances'],
      '--duration': ['blackhole-az', 'stop-instances'],
      '--include-lb-subnets': ['blackhole-az'],
      '--allow-shared-subnets': ['blackhole-az'],
    });
    // A shared option is one definition, whichever fault lists it.
    const az = FAULT_METAS.map((m) => m.options.find((o) => o.def.flag === '--az')?.def);
    expect(new Set(az).size).toBe(1);
  });

  it('an option given for a fault that does not take it is a usage error naming the faults that do', () => {
    const problems = (raw: Record<string, string | boolean>): string => {
      try {
        validateRunOptions({ asg: 'a', ...raw }, {});
        return '';
      } catch (e) {
        expect((e as { exitCode?: number }).exitCode).toBe(2);
        return (e as Error).message;
      }
    };
    expect(problems({ fault: 'terminate-instances', includeLbSubnets: true })).toBe('--include-lb-subnets: only with --fault blackhole-az (not terminate-instances)');
    expect(problems({ fault: 'blackhole-az', count: '2' })).toBe('--count: only with --fault terminate-instances or stop-instances (not blackhole-az)');
    expect(problems({ fault: 'terminate-instances', duration: '30s' })).toBe('--duration: only with --fault blackhole-az or stop-instances (not terminate-instances)');
    // A switch left off is not "given".
    expect(problems({ fault: 'stop-instances', includeLbSubnets: false, duration: '30s', count: '2' })).toBe('');
  });
});

describe('schema/experiment.schema.json', () => {
  it('is the one generated from the option table (run `npm run schema` after changing an option)', () => {
    // Compared as data: the committed file is the generated one in the repository's Prettier style.
    const committed = readFileSync(fileURLToPath(new URL('../../schema/experiment.schema.json', import.meta.url)), 'utf8');
    expect(JSON.parse(committed)).toEqual(experimentSchema());
  });
});

describe('README.md', () => {
  it('the run flag table is the one generated from the option table (`npm run schema`)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    expect(readme).toBe(withRunFlagTable(readme, RUN_FLAGS));
  });
});
