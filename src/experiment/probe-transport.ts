/**
 * The probe's transport options from the validated config: what it connects to (--resolve), as which name
 * (--host), what it trusts (--ca-cert, --insecure) and what a success is (--probe).
 * Shared by `run` and `probe` (so it loads no AWS client).
 */
import { readFileSync } from 'node:fs';
import { usageError } from '../core/errors.js';
import type { ProbeOptions } from '../observe/load-probe.js';
import { parseResolve, portOf } from '../observe/resolve.js';

export interface TransportConfig {
  probe: 'http' | 'tcp';
  host?: string;
  resolve?: string[];
  caCert?: string;
  insecure: boolean;
}

export function transportOptions(c: TransportConfig): Pick<ProbeOptions, 'mode' | 'host' | 'resolve' | 'caCert' | 'insecure'> {
  return {
    mode: c.probe,
    insecure: c.insecure,
    ...(c.host ? { host: c.host } : {}),
    ...(c.resolve?.length ? { resolve: parseResolve(c.resolve) } : {}),
    ...(c.caCert ? { caCert: readPem(c.caCert) } : {}),
  };
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    // Checked at validation; only a file removed since then gets here.
    throw usageError(`--ca-cert: cannot read '${path}': ${(err as Error).message}`, 'pass the path of a PEM file');
  }
}

/** Plan lines about the probe's transport; --insecure is impossible to miss. */
export function transportPlanLines(c: TransportConfig): string[] {
  const lines: string[] = [];
  if (c.insecure) lines.push('!! TLS certificate verification is OFF (--insecure): the probe would accept any certificate');
  if (c.host) lines.push(`Host header and TLS server name ${c.host}`);
  if (c.resolve?.length) lines.push(`addresses pinned: --resolve ${c.resolve.join(' --resolve ')}`);
  if (c.caCert) lines.push(`trusts the CA in ${c.caCert} besides the default ones`);
  if (c.probe === 'tcp') lines.push('connect-only probe (--probe tcp): success = TCP handshake within --timeout (and the TLS handshake for an https:// URL)');
  return lines;
}

/**
 * The Host/SNI name for a run: --host, else the host-header discovery took from the chosen listener rule
 * (the service's own name, the one its certificate covers), else none (the URL's own hostname).
 */
export function runProbeHost(cfg: { host?: string | undefined }, d: { host?: string | undefined }): string | undefined {
  return cfg.host ?? (d.host || undefined);
}

/** `host:port` of a URL, as --resolve names it. */
export function probeTarget(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${portOf(u)}`;
}
