/**
 * JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): one <testsuite> per experiment, one
 * <testcase> per gate. Follows the common Jenkins/Surefire shape:
 *   testsuites(name, tests, failures, errors, skipped, time)
 *     testsuite(name, tests, failures, errors, skipped, time, timestamp) / properties / testcase(name, classname, time)
 *       failure(message, type) | error(message, type)
 * `timestamp` is ISO 8601 without a zone (UTC), as the Ant schema's pattern requires; `time` is seconds.
 *
 * A run that never got to its gates (steady state not met, refused, AWS error, interrupted) still shows up
 * red: when the verdict is not a pass and no gate failed, one extra testcase "experiment" carries an <error>
 * (verdict error or aborted) or a <failure> (verdict fail), so a broken pipeline never looks green.
 */
import { contaminatedLine } from './capacity-notes.js';
import type { Report } from '../experiment/types.js';
import { experimentTitle, formatGateValue } from './markdown.js';

/** Escapes text for XML attributes and text; drops characters XML 1.0 cannot carry at all. */
export function xml(text: string | number | boolean | null | undefined): string {
  return (
    String(text ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      .replace(/\r/g, '&#13;')
      .replace(/\n/g, '&#10;')
      .replace(/\t/g, '&#9;')
  );
}

/** Escapes element text: line breaks stay readable (only attributes need them encoded). */
const xmlText = (text: string): string => xml(text).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

interface Case {
  name: string;
  outcome?: { tag: 'failure' | 'error'; message: string; type: string; body: string };
}

function casesOf(r: Report): Case[] {
  const cases: Case[] = r.gates.map((g) => {
    const thr = formatGateValue(g.name, g.threshold);
    const act = formatGateValue(g.name, g.actual);
    if (g.pass) return { name: g.name };
    return {
      name: g.name,
      outcome: {
        tag: 'failure',
        message: `${g.name}: threshold ${thr}, actual ${act}${g.detail ? ` (${g.detail})` : ''}`,
        type: 'GateFailed',
        body: `gate ${g.name}\nthreshold: ${thr}\nactual: ${act}${g.detail ? `\n${g.detail}` : ''}`,
      },
    };
  });
  if (r.verdict !== 'pass' && !r.gates.some((g) => !g.pass)) {
    const isError = r.verdict === 'error' || r.verdict === 'aborted';
    cases.push({
      name: 'experiment',
      outcome: {
        tag: isError ? 'error' : 'failure',
        message: `${r.verdict} (exit ${r.exitCode}): ${r.reason ?? 'no reason recorded'}`,
        type: r.verdict,
        body: [r.reason ?? '', ...r.steadyState.checks.filter((c) => !c.pass).map((c) => `steady state ${c.name}: ${c.detail}`)].filter(Boolean).join('\n'),
      },
    });
  }
  // A report without gates that passed still needs one testcase: an empty suite reads as "nothing ran".
  if (cases.length === 0) cases.push({ name: 'experiment' });
  return cases;
}

export function renderJunit(reports: Report[]): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let totalMs = 0;
  const suites = reports.map((r) => {
    const cases = casesOf(r);
    const f = cases.filter((c) => c.outcome?.tag === 'failure').length;
    const e = cases.filter((c) => c.outcome?.tag === 'error').length;
    const ms = Date.parse(r.endedAt) - Date.parse(r.startedAt);
    tests += cases.length;
    failures += f;
    errors += e;
    totalMs += Math.max(0, ms);
    const classname = `chaos-ec2.${r.fault?.kind ?? 'experiment'}.${r.target.asg}`;
    const props: [string, string][] = [
      ['id', r.id],
      ['verdict', r.verdict],
      ['exitCode', String(r.exitCode)],
      ['asg', r.target.asg],
      ['account', r.target.account],
      ['region', r.target.region],
      ['url', r.target.url],
      ['fault', r.fault?.kind ?? 'none'],
      ['seed', r.seed],
      ...(r.contaminated ? [['contaminated', contaminatedLine(r) ?? ''] as [string, string]] : []),
    ];
    const lines = [
      `  <testsuite name="${xml(`chaos-ec2 ${experimentTitle(r)} (${r.id})`)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="0" time="${seconds(ms)}" timestamp="${xml(r.startedAt.replace(/(\.\d+)?Z$/, ''))}">`,
      '    <properties>',
      ...props.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`),
      '    </properties>',
    ];
    for (const c of cases) {
      // Gates are judged at the end of the run: each takes the run's time, which CI shows per case.
      const open = `    <testcase name="${xml(c.name)}" classname="${xml(classname)}" time="${seconds(ms)}"`;
      if (!c.outcome) lines.push(`${open}/>`);
      else {
        lines.push(`${open}>`);
        lines.push(`      <${c.outcome.tag} message="${xml(c.outcome.message)}" type="${xml(c.outcome.type)}">${xmlText(c.outcome.body)}</${c.outcome.tag}>`);
        lines.push('    </testcase>');
      }
    }
    lines.push('  </testsuite>');
    return lines.join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="chaos-ec2" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(totalMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
