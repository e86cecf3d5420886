/**
 * PURE: how the probe reaches the service, as the plan and the report show it — from a discovery that chose
 * a listener: the load balancer and its scheme, the listener, the rule and why, the weight share, the Host,
 * and the forwards passed over with the reason.
 */
import type { Discovery } from './discover.js';
import type { ListenerRoute } from './types.js';

/** The route the plan and the report show, from a discovery that chose a listener. */
export function routeOf(d: Discovery): ListenerRoute | undefined {
  const l = d.listener;
  const lb = l && d.loadBalancers.find((x) => x.arn === l.loadBalancerArn);
  if (!l || !lb) return undefined;
  return {
    loadBalancer: lb.name,
    scheme: lb.scheme,
    type: lb.type,
    listener: `${l.protocol}:${l.port}`,
    rule: l.rule ? { priority: l.rule.priority, conditions: l.rule.conditions, why: l.rule.why } : { priority: 'default', conditions: [], why: '' },
    ...(l.weight ? { weight: l.weight } : {}),
    ...(d.host ? { host: d.host } : {}),
    ...(d.probeProtocol ? { probeProtocol: d.probeProtocol } : {}),
    skipped: d.skipped ?? [],
  };
}

/** The plan's lines on how the probe reaches the service: load balancer, listener, rule and why, weight, skips. */
export function renderRoute(r: ListenerRoute): string[] {
  const rule = r.rule.priority === 'default' ? 'default action' : `rule ${r.rule.priority}`;
  const conditions = r.rule.conditions.length ? ` [${r.rule.conditions.join(', ')}]` : '';
  const lines = [`  route     ${r.loadBalancer} (${r.type}, ${r.scheme}) ${r.listener} ${rule}${conditions}`, `            why: ${r.rule.why}`];
  if (r.host) lines.push(`            Host and SNI: ${r.host}`);
  if (r.probeProtocol === 'tcp') {
    // On TLS the NLB answers the handshake itself: only bytes exchanged through it reach a target.
    lines.push(
      r.listener.startsWith('TLS')
        ? '            connect-only probe (--probe tcp): the NLB terminates TLS, so each probe also exchanges bytes with a target'
        : '            connect-only probe (--probe tcp): the NLB passes the handshake through, so a connect is a target answering',
    );
  }
  if (r.weight) lines.push(`            weighted forward: the group gets ${r.weight.weight} of ${r.weight.total} (${formatShare(r.weight.share)} of this rule's traffic)`);
  if (r.scheme === 'internal') lines.push('            internal load balancer: it answers only inside its VPC (run chaos-ec2 from there, or pass --url)');
  for (const s of r.skipped) {
    const what = s.rule === 'default' ? 'default action' : `rule ${s.rule}`;
    lines.push(`            skipped ${s.loadBalancer} ${s.listener} ${what}${s.conditions.length ? ` [${s.conditions.join(', ')}]` : ''}: ${s.reason}`);
  }
  return lines;
}

/** One line for the report renderers: "shop (application, internal) HTTPS:443 rule 10 [host-header …] · weight 1 of 4 (25%) · Host …". */
export function routeSummary(r: ListenerRoute): string {
  const rule = r.rule.priority === 'default' ? 'default action' : `rule ${r.rule.priority}`;
  const parts = [`${r.loadBalancer} (${r.type}, ${r.scheme}) ${r.listener} ${rule}${r.rule.conditions.length ? ` [${r.rule.conditions.join(', ')}]` : ''}`];
  if (r.weight) parts.push(`weight ${r.weight.weight} of ${r.weight.total} (${formatShare(r.weight.share)})`);
  if (r.host) parts.push(`Host ${r.host}`);
  return parts.join(' · ');
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
