/**
 * The experiment file's keys as data: for each section key, the raw run option it sets (the same camelCase
 * key commander produces from the `run` flag, so validateRunOptions judges both the same way), the flag its
 * error messages name, and the YAML value types accepted. schema/experiment.schema.json mirrors this table
 * (a unit test keeps them in step).
 */
import { GATE_FLAGS } from './gates.js';

/** string: text or number · number: a number or numeric text · duration: '30s' or seconds · boolean · headers: map · status: 200 | '200,204' | [200, 204] */
export type ValueType = 'string' | 'number' | 'duration' | 'boolean' | 'headers' | 'status';

export interface FileKey {
  /** Raw run option key (commander's camelCase of the flag). */
  raw: string;
  /** The `run` flag, as validateRunOptions names it in messages. */
  flag: string;
  type: ValueType;
}

export type Section = 'target' | 'fault' | 'probe' | 'timings' | 'gates';

const k = (raw: string, flag: string, type: ValueType = 'string'): FileKey => ({ raw, flag, type });

export const FILE_KEYS: Record<Section, Record<string, FileKey>> = {
  target: {
    asg: k('asg', '--asg'),
    region: k('region', '--region'),
    profile: k('profile', '--profile'),
    endpointUrl: k('endpointUrl', '--endpoint-url'),
    url: k('url', '--url'),
    path: k('path', '--path'),
  },
  fault: {
    kind: k('fault', '--fault'),
    count: k('count', '--count', 'number'),
    percent: k('percent', '--percent', 'number'),
    az: k('az', '--az'),
    duration: k('duration', '--duration', 'duration'),
    includeLbSubnets: k('includeLbSubnets', '--include-lb-subnets', 'boolean'),
    allowSharedSubnets: k('allowSharedSubnets', '--allow-shared-subnets', 'boolean'),
    seed: k('seed', '--seed'),
    minHealthy: k('minHealthy', '--min-healthy'),
    minHealthyPerAz: k('minHealthyPerAz', '--min-healthy-per-az', 'number'),
  },
  probe: {
    rate: k('rate', '--rate', 'number'),
    timeout: k('timeout', '--timeout', 'duration'),
    method: k('method', '--method'),
    headers: k('header', '--header', 'headers'),
    expectStatus: k('expectStatus', '--expect-status', 'status'),
    baseline: k('baseline', '--baseline', 'duration'),
  },
  timings: {
    poll: k('poll', '--poll', 'duration'),
    recoveryTimeout: k('recoveryTimeout', '--recovery-timeout', 'duration'),
    steady: k('steady', '--steady', 'duration'),
    steadyErrorRate: k('steadyErrorRate', '--steady-error-rate', 'number'),
    steadyP99: k('steadyP99', '--steady-p99', 'duration'),
  },
  gates: Object.fromEntries(
    GATE_FLAGS.map((g) => [g.key, k(g.key, g.flags.split(' ')[0] as string, g.kind === 'duration' ? 'duration' : g.kind === 'rate' ? 'string' : 'number')]),
  ),
};

export const SECTIONS = Object.keys(FILE_KEYS) as Section[];

/** flag → [section, key], to map validateRunOptions' messages back to the file's keys. */
export const KEY_OF_FLAG: Map<string, [Section, string]> = new Map(
  SECTIONS.flatMap((s) => Object.entries(FILE_KEYS[s]).map(([key, def]) => [def.flag, [s, key]] as [string, [Section, string]])),
);
