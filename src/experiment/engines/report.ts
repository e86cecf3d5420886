/**
 * The report's engine section — who injected and reverted the fault, what t0 is for it, and for FIS the
 * template, the experiment, its console URL and every state it went through — built (PURE) from the plan and
 * the timeline, and its view, which every renderer draws beside the fault's own section.
 */
import type { FaultView } from '../../faults/types.js';
import type { Recorded } from '../recorder.js';
import type { EngineReport, Report } from '../types.js';

export function engineSection(r: Recorded): EngineReport | undefined {
  const plan = r.plan;
  if (!plan) return undefined;
  if (plan.engine?.kind !== 'fis') return { kind: 'local', t0: 'mutating call returned' };
  const base = r.t0 ?? r.startedAt;
  const find = (event: string) => r.marks.find((m) => m.event === event);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const templateId = str(find('fis-template-created')?.templateId);
  const started = find('fis-experiment-started');
  const experimentId = str(started?.experimentId);
  const consoleUrl = str(started?.consoleUrl);
  const resolved = find('fis-targets-resolved')?.resolved;
  const states = r.marks
    .filter((m) => m.event === 'fis-state' || m.event === 'fis-action-state')
    .map((m) => ({ atMs: m.atMs - base, status: String(m.status), ...(str(m.action) ? { action: str(m.action)! } : {}), ...(str(m.reason) ? { reason: str(m.reason)! } : {}) }));
  return {
    kind: 'fis',
    t0: 'FIS action startTime',
    ...(templateId ? { templateId } : {}),
    ...(experimentId ? { experimentId } : {}),
    ...(consoleUrl ? { consoleUrl } : {}),
    roleArn: plan.engine.roleArn,
    stopConditions: plan.engine.stopConditions,
    ...(Array.isArray(resolved) ? { resolvedTargets: resolved.map(String) } : {}),
    states,
    ...(templateId ? { templateDeleted: r.marks.some((m) => m.event === 'fis-template-deleted') } : {}),
  };
}

/** The engine's rows for the renderers (none for the local engine: it is the default and says nothing new). */
export function engineView(r: Pick<Report, 'engine'>): FaultView | undefined {
  const e = r.engine;
  if (!e || e.kind !== 'fis') return undefined;
  const rows: FaultView['rows'] = [{ key: 'engine', value: `AWS FIS (t0 = ${e.t0})` }];
  if (e.experimentId) rows.push({ key: 'experiment', value: e.experimentId });
  if (e.consoleUrl) rows.push({ key: 'console', value: e.consoleUrl });
  if (e.templateId) rows.push({ key: 'template', value: `${e.templateId}${e.templateDeleted ? ' (deleted)' : ' (kept)'}` });
  if (e.roleArn) rows.push({ key: 'role', value: e.roleArn });
  rows.push({ key: 'stop conditions', value: e.stopConditions?.length ? e.stopConditions.join(', ') : 'none' });
  if (e.resolvedTargets) rows.push({ key: 'resolved targets', value: e.resolvedTargets.join(', ') || 'none' });
  const experiment = (e.states ?? []).filter((s) => !s.action).map((s) => s.status);
  if (experiment.length) rows.push({ key: 'states', value: experiment.join(' → '), ...(experiment.at(-1) === 'failed' ? { tone: 'bad' as const } : {}) });
  return { heading: 'Engine', rows };
}
