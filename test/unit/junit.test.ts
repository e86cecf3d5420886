import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { renderJunit } from '../../src/report/junit.js';
import { loadFixture } from './report-fixtures.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
const parse = (xml: string): Node => {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml) as Node;
};

/**
 * The Jenkins/Surefire JUnit shape CI systems read: which attributes each element must carry, and which
 * children it may have. A structural check of what the common XSD requires.
 */
const REQUIRED: Record<string, string[]> = {
  testsuites: ['tests', 'failures', 'errors', 'time'],
  testsuite: ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp'],
  testcase: ['name', 'classname', 'time'],
  failure: ['message', 'type'],
  error: ['message', 'type'],
};
const CHILDREN: Record<string, string[]> = {
  testsuites: ['testsuite'],
  testsuite: ['properties', 'testcase', 'system-out', 'system-err'],
  properties: ['property'],
  testcase: ['failure', 'error', 'skipped', 'system-out', 'system-err'],
};
function checkShape(name: string, node: unknown): void {
  for (const n of Array.isArray(node) ? node : [node]) {
    if (typeof n !== 'object' || n === null) continue;
    const obj = n as Node;
    for (const attr of REQUIRED[name] ?? []) expect(obj[attr], `${name}@${attr}`).toBeDefined();
    for (const [k, v] of Object.entries(obj)) {
      if (k === '#text' || (REQUIRED[name] ?? []).includes(k) || typeof v !== 'object') continue;
      expect(CHILDREN[name] ?? [], `<${k}> inside <${name}>`).toContain(k);
      checkShape(k, v);
    }
  }
}

describe('renderJunit', () => {
  const pass = loadFixture('pass');
  const fail = loadFixture('fail');

  it('one testsuite per experiment, one testcase per gate; counts add up; parsed back', () => {
    const doc = parse(renderJunit([pass, fail]));
    checkShape('testsuites', doc.testsuites);
    const root = doc.testsuites as Node;
    const suites = root.testsuite as Node[];
    expect(suites).toHaveLength(2);
    expect(suites.map((s) => (s.testcase as Node[]).length)).toEqual([pass.gates.length, fail.gates.length]);
    const failedGates = fail.gates.filter((g) => !g.pass).length;
    expect(suites[0]).toMatchObject({ tests: String(pass.gates.length), failures: '0', errors: '0', skipped: '0' });
    expect(suites[1]).toMatchObject({ tests: String(fail.gates.length), failures: String(failedGates), errors: '0' });
    expect(root).toMatchObject({ tests: String(pass.gates.length + fail.gates.length), failures: String(failedGates), errors: '0' });
    // Ant schema: timestamp without zone; time in seconds.
    expect(suites[0]!.timestamp).toBe('2025-03-14T10:00:00');
    expect(suites[0]!.time).toBe('82.000');
    const props = Object.fromEntries(((suites[0]!.properties as Node).property as Node[]).map((p) => [p.name, p.value]));
    expect(props).toMatchObject({ id: pass.id, asg: 'web-asg', verdict: 'pass', seed: pass.seed });
  });

  it('failures carry threshold vs actual in the message', () => {
    const suite = ((parse(renderJunit([fail])).testsuites as Node).testsuite as Node[])[0]!;
    const cases = suite.testcase as Node[];
    const svc = cases.find((c) => c.name === 'serviceRecoveredMs')!;
    expect(svc.classname).toBe('chaos-ec2.blackhole-az.web-asg');
    const failure = svc.failure as Node;
    expect(failure.type).toBe('GateFailed');
    expect(failure.message).toBe('serviceRecoveredMs: threshold 1m00s, actual — (not recovered)');
    const avail = cases.find((c) => c.name === 'availability')!;
    expect((avail.failure as Node).message).toBe('availability: threshold 99%, actual 67.93%');
    expect(String((avail.failure as Node)['#text'])).toContain('threshold: 99%');
  });

  it('a run that errored before its gates gets an <error> testcase', () => {
    const refused = { ...pass, verdict: 'error', exitCode: 3, reason: 'steady state not met: 3/4 InService', gates: [] } as Report;
    const suite = ((parse(renderJunit([refused])).testsuites as Node).testsuite as Node[])[0]!;
    expect(suite).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    const tc = (suite.testcase as Node[])[0]!;
    expect(tc.name).toBe('experiment');
    expect((tc.error as Node).message).toBe('error (exit 3): steady state not met: 3/4 InService');
    expect((tc.error as Node).type).toBe('error');
  });

  it('a failed run with no failing gate still fails; a gateless pass still has one testcase', () => {
    const failedNoGate = { ...pass, verdict: 'fail', exitCode: 1, reason: 'not recovered' } as Report;
    expect(((parse(renderJunit([failedNoGate])).testsuites as Node).testsuite as Node[])[0]).toMatchObject({ failures: '1', tests: String(pass.gates.length + 1) });
    const bare = { ...pass, gates: [] } as Report;
    expect(((parse(renderJunit([bare])).testsuites as Node).testsuite as Node[])[0]).toMatchObject({ tests: '1', failures: '0', errors: '0' });
  });

  it('escapes hostile report strings and drops characters XML cannot carry', () => {
    const evil = 'web"&<asg>\u0001\u001b[31m';
    const r = { ...fail, target: { ...fail.target, asg: evil }, reason: '</failure><x>' } as Report;
    const xml = renderJunit([r]);
    const suite = ((parse(xml).testsuites as Node).testsuite as Node[])[0]!;
    expect(suite.name).toContain('web"&<asg>[31m');
    expect(xml).not.toContain('\u0001');
  });
});
