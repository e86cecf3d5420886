/**
 * PURE: why a baseline that was not steady failed, when the failures say it is the probe's path to the
 * service, not the service: a certificate that does not verify (the name asked for is not one it covers, or
 * a private CA), a probe host that does not resolve, or an internal load balancer probed from outside its
 * VPC (every request a connect timeout). Blaming the service for those would send the operator the wrong way.
 */
import type { FailureKind, SecondSummary } from '../observe/buckets.js';

export interface CertificateProblem {
  code: string;
  servername?: string | undefined;
  /** `DNS:shop.example.test, DNS:*.shop.example.test`, as Node reports subjectaltname. */
  altNames?: string | undefined;
  subject?: string | undefined;
  /** Whether the certificate covers the name asked for; unknown when not checked. */
  nameMatches?: boolean | undefined;
}

export interface RefusalContext {
  /** The first certificate failure the probe saw. */
  certificate?: CertificateProblem | undefined;
  /** The load balancer probed has scheme `internal`. */
  internal: boolean;
  /** The name the probe asks for (Host/SNI). */
  host: string;
  /** What the probe resolves: the URL's `host:port` (default: `host`). */
  target?: string | undefined;
  /** The --resolve entries given (a typo in one leaves the name to DNS). */
  resolve?: readonly string[] | undefined;
}

export interface Refusal {
  reason: string;
  hint: string;
}

export const INTERNAL_REASON = 'the load balancer is internal: run chaos-ec2 from inside the VPC (e.g. a CI runner in a private subnet) or pass --url';

/** Failures by kind over the given seconds. */
export function failuresByKind(seconds: readonly SecondSummary[]): Partial<Record<FailureKind, number>> {
  const out: Partial<Record<FailureKind, number>> = {};
  for (const s of seconds) for (const [k, n] of Object.entries(s.errorsByKind)) out[k as FailureKind] = (out[k as FailureKind] ?? 0) + (n ?? 0);
  return out;
}

/** The DNS names a certificate covers, from Node's subjectaltname text. */
export function coveredNames(altNames: string | undefined): string[] {
  if (!altNames) return [];
  return altNames
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
}

/** A refusal naming the transport problem, or undefined when the failures are the service's own. */
export function explainRefusal(seconds: readonly SecondSummary[], ctx: RefusalContext): Refusal | undefined {
  const kinds = failuresByKind(seconds);
  const total = Object.values(kinds).reduce<number>((a, n) => a + (n ?? 0), 0);
  if (total === 0) return undefined;
  const tls = kinds.tls ?? 0;
  // Most failures are certificate failures: no request got through to be judged, whatever else happened.
  if (tls * 2 > total) return certificateRefusal(ctx);
  if ((kinds.dns ?? 0) === total) {
    const target = ctx.target ?? ctx.host;
    const given = ctx.resolve?.length ? `; no --resolve entry is for ${target} (given: ${ctx.resolve.join(' ')})` : '';
    return {
      reason: `baseline not steady: the probe host ${target} does not resolve (every request failed: dns)${given}`,
      hint: `pass --resolve ${/:\d+$/.test(target) ? target : `${target}:PORT`}:ADDR[,ADDR…] with the load balancer's addresses, or --url with a name that resolves`,
    };
  }
  // A connect timeout is a SYN nobody answered: from outside the VPC an internal load balancer's private
  // addresses never answer. Requests queued behind a hung connect may hit the probe's own deadline first
  // (`timeout`), so those do not count against the pattern; anything that got an answer does.
  const connect = kinds.connect_timeout ?? 0;
  if (ctx.internal && connect > 0 && connect + (kinds.timeout ?? 0) === total) {
    return { reason: `baseline not steady: ${INTERNAL_REASON}`, hint: 'the probe must reach the private addresses of the load balancer nodes; or probe a route users take with --url' };
  }
  return undefined;
}

function certificateRefusal(ctx: RefusalContext): Refusal {
  const c = ctx.certificate;
  const asked = c?.servername ?? ctx.host;
  const names = coveredNames(c?.altNames);
  const covers = names.length ? `it covers ${names.join(', ')}` : c?.subject ? `its subject is ${c.subject}` : 'the names it covers are unknown';
  const code = c?.code ?? 'certificate error';
  const reason = `baseline not steady: the TLS certificate did not verify for ${asked} (${code}); ${covers}`;
  const firstName = names.find((n) => !n.startsWith('*.')) ?? names[0]?.replace(/^\*\./, 'www.');
  const host = firstName ? `--host ${firstName}` : '--host NAME';
  const wrongName = code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH';
  const alsoName = c?.nameMatches === false ? `, and ${host}: it does not cover ${asked}` : c?.nameMatches === true ? '' : `, and ${host} if it does not cover ${asked}`;
  const hint = wrongName
    ? `pass ${host} (the service's own name, sent as Host and TLS server name while connecting to the load balancer)`
    : `pass --ca-cert FILE with the CA that signed it (a private CA)${alsoName}; --insecure skips verification (flagged in the report)`;
  return { reason, hint };
}
