import { FAULT_KINDS } from '../../src/faults/catalog.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateRunOptions } from '../../src/experiment/config.js';
import { interpolate, loadExperimentFile, parseExperimentFile } from '../../src/experiment/file.js';
import { FILE_KEYS } from '../../src/experiment/file-keys.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/gameday.yaml', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../schema/experiment.schema.json', import.meta.url)), 'utf8')) as Record<string, any>;

/** The ChaosError message of a file that must not load. */
function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseExperimentFile(text, 'gameday.yaml', env);
  } catch (err) {
    expect((err as { exitCode?: number }).exitCode).toBe(2);
    return (err as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected the file to be rejected');
}

describe('experiment files', () => {
  it('loads the example: defaults merged under each experiment, ${VAR} from the environment, gates parsed', async () => {
    const f = await loadExperimentFile(EXAMPLE, { PROBE_TOKEN: 's3cret', CHAOS_ASG: 'web-asg' });
    expect(f.experiments.map((e) => e.name)).toEqual(['lose one instance', 'lose an Availability Zone for 2 minutes']);
    const [a, b] = f.experiments;
    expect(a!.raw).toMatchObject({
      asg: 'web-asg',
      region: 'us-east-1',
      fault: 'terminate-instances',
      count: '1',
      rate: '20',
      poll: '5s',
      recoveryTimeout: '10m',
      header: ['Authorization: Bearer s3cret'],
      expectStatus: '200',
    });
    expect(a!.gates).toEqual({ maxServiceTtrMs: 90_000, maxCapacityTtrMs: 300_000, minAvailability: 0.95 });
    expect(b!.raw).toMatchObject({ fault: 'blackhole-az', duration: '2m', asg: 'web-asg' });
    expect(b!.raw.count).toBeUndefined();
    // The experiment's own gates override the defaults key by key.
    expect(b!.gates).toEqual({ maxServiceTtrMs: 240_000, maxCapacityTtrMs: 300_000, minAvailability: 0.8, maxErrorRate: 0.2 });
    expect(b!.line).toBeGreaterThan(a!.line);
    // The raw options are what validateRunOptions accepts.
    expect(validateRunOptions(a!.raw, {})).toMatchObject({ asg: 'web-asg', count: 1, headers: { Authorization: 'Bearer s3cret' }, pollMs: 5000, recoveryTimeoutMs: 600_000 });
  });

  it('a malformed file yields ALL its errors, each as file:line path: message', () => {
    const text = [
      'defaults:', //                                    1
      '  target:', //                                    2
      '    region: eu-west-1', //                        3
      '    colour: blue', //                             4  unknown key
      'experiments:', //                                 5
      '  - name: one', //                                6
      '    target:', //                                  7
      '      asg: web', //                               8
      '    fault:', //                                   9
      '      percent: 150', //                           10 validateRunOptions: 1-100
      '      includeLbSubnets: yes please', //           11 not a boolean
      '    probe:', //                                   12
      '      headers:', //                               13
      '        X-Token: ${MISSING_TOKEN}', //            14 env var missing
      '      timeout: soon', //                          15 validateRunOptions: duration
      '    gates:', //                                   16
      '      maxErrorRate: 2', //                        17 parseGateOptions
      '  - name: two', //                                18 no asg anywhere
      '    fault: { kind: explode }', //                 19
      '    timing: {}', //                               20 unknown section
    ].join('\n');
    const errs = problems(text);
    expect(errs).toEqual([
      'gameday.yaml:4 defaults.target.colour: unknown key (expected one of asg, region, profile, endpointUrl, url, path)',
      "gameday.yaml:10 experiments[0].fault.percent: '150' must be a number from 1 to 100",
      'gameday.yaml:11 experiments[0].fault.includeLbSubnets: must be true or false (got "yes please")',
      'gameday.yaml:14 experiments[0].probe.headers.X-Token: environment variable MISSING_TOKEN is not set',
      "gameday.yaml:15 experiments[0].probe.timeout: 'soon' is not a duration (use e.g. 500ms, 30s, 5m)",
      "gameday.yaml:17 experiments[0].gates.maxErrorRate: '2' must be a rate from 0 to 1 (or 0%-100%)",
      'gameday.yaml:18 experiments[1].target.asg: required (the Auto Scaling group to test)',
      `gameday.yaml:19 experiments[1].fault.kind: 'explode' is not one of ${FAULT_KINDS.join(', ')}`,
      'gameday.yaml:20 experiments[1].timing: unknown key (expected one of name, target, fault, probe, timings, gates)',
    ]);
  });

  it('syntax errors, a missing list, duplicate keys and names are reported with lines', () => {
    expect(problems('experiments: [\n')[0]).toMatch(/^gameday\.yaml:\d+ \(syntax\): /);
    expect(problems('defaults: {}\n')).toEqual(['gameday.yaml:1 experiments: required: a list of experiments']);
    expect(problems('experiments: []\n')).toEqual(['gameday.yaml:1 experiments: must be a non-empty list of experiments']);
    expect(problems('experiments:\n  - target: {asg: a}\n    target: {asg: b}\n')[0]).toMatch(/^gameday\.yaml:3 \(syntax\): .*[Mm]ap keys must be unique/);
    expect(problems('experiments:\n  - name: x\n    target: {asg: a}\n  - name: x\n    target: {asg: a}\n')).toEqual([
      "gameday.yaml:4 experiments[1].name: 'x' is already the name of experiments[0]",
    ]);
  });

  it('JSON files parse too, with lines', () => {
    const f = parseExperimentFile('{\n  "experiments": [\n    {"target": {"asg": "a"}, "fault": {"count": 2}}\n  ]\n}\n', 'g.json', {});
    expect(f.experiments[0]).toMatchObject({ name: 'experiment 1', raw: { asg: 'a', count: '2' }, line: 3 });
    expect(problems('{"experiments": [{"target": {"asg": "a"}, "fault": {"count": 0}}]}')).toEqual(["gameday.yaml:1 experiments[0].fault.count: '0' must be a whole number from 1 to 10000"]);
  });

  it('the table judges file values like flags: limits, and options of another fault, at their lines', () => {
    const text = [
      'experiments:', //                                  1
      '  - target: { asg: web }', //                      2
      '    fault:', //                                    3
      '      kind: blackhole-az', //                      4
      '      count: 2', //                                5 only for instance faults
      '      duration: 99999999999999999999h', //         6 beyond 12h
      '    timings:', //                                  7
      '      recoveryTimeout: 2d', //                     8 not a duration
    ].join('\n');
    expect(problems(text)).toEqual([
      'gameday.yaml:5 experiments[0].fault.count: only with --fault terminate-instances or stop-instances (not blackhole-az)',
      "gameday.yaml:6 experiments[0].fault.duration: '99999999999999999999h' must be from 1s to 12h",
      "gameday.yaml:8 experiments[0].timings.recoveryTimeout: '2d' is not a duration (use e.g. 500ms, 30s, 5m)",
    ]);
  });

  it('interpolation: ${VAR}, ${VAR:-default}, $${ literal', () => {
    const missing: string[] = [];
    expect(interpolate('a ${X} ${Y:-dflt} $${Z} ${W}', { X: '1' }, (n) => missing.push(n))).toBe('a 1 dflt ${Z} ');
    expect(missing).toEqual(['W']);
  });

  it('a missing file is a usage error naming it', async () => {
    await expect(loadExperimentFile('/nonexistent/gameday.yaml')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('no such file') });
  });
});

describe('schema/experiment.schema.json', () => {
  it('every key of examples/gameday.yaml is in the schema', () => {
    const doc = parseDocument(readFileSync(EXAMPLE, 'utf8'));
    const checked: string[] = [];
    const walk = (node: unknown, schema: Record<string, any>, path: string): void => {
      if (schema.$ref) schema = SCHEMA.$defs[String(schema.$ref).split('/').pop()!];
      if (isMap(node)) {
        for (const p of node.items) {
          const key = String((p.key as { value: unknown }).value);
          const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
          expect(sub, `${path}.${key} in the schema`).toBeDefined();
          checked.push(`${path}.${key}`);
          walk(p.value, sub, `${path}.${key}`);
        }
      } else if (isSeq(node) && schema.items) (node.items as YamlNode[]).forEach((n, i) => walk(n, schema.items, `${path}[${i}]`));
    };
    walk(doc.contents, SCHEMA, '');
    expect(checked).toContain('.experiments[1].fault.duration');
    expect(checked).toContain('.defaults.probe.headers.Authorization');
  });

  it('mirrors the file key table (sections and keys)', () => {
    for (const [section, keys] of Object.entries(FILE_KEYS)) {
      expect(Object.keys(SCHEMA.$defs[section].properties).sort(), section).toEqual(Object.keys(keys).sort());
      expect(SCHEMA.$defs[section].additionalProperties).toBe(false);
    }
    expect(SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
