/**
 * The probe's transport options, shared by `run`, `demo` and `probe`: where the probe connects and what it
 * trusts (--probe, --host, --resolve, --ca-cert, --insecure). Part of the run option table (run-options.ts).
 */
import { readFileSync } from 'node:fs';
import { boolean, choice, OptionError, text, type OptionDef, type Parser } from '../core/options.js';
import { formatResolve, parseResolve } from '../observe/resolve.js';

/** `--resolve` values → normalised `HOST:PORT:ADDR,…` entries (JSON-friendly for the report's settings). */
function resolveEntries(): Parser<string[]> {
  return {
    fileType: 'string',
    schema: { type: 'string', pattern: '^\\s*\\S+:\\d+:\\S+(\\s+\\S+:\\d+:\\S+)*\\s*$' },
    parse(raw) {
      if (typeof raw === 'boolean') throw new OptionError('must be HOST:PORT:ADDR[,ADDR…]');
      try {
        return formatResolve(parseResolve(Array.isArray(raw) ? raw : [raw]));
      } catch (err) {
        throw new OptionError((err as Error).message);
      }
    },
    show: (v) => v.join(' '),
  };
}

/** A PEM file of CA certificates, read now (the run would fail every request later otherwise): its path. */
function pemFile(): Parser<string> {
  return {
    fileType: 'string',
    schema: { type: 'string' },
    parse(raw) {
      if (typeof raw !== 'string' || raw.trim() === '') throw new OptionError('must be the path of a PEM file');
      const path = raw.trim();
      let pem: string;
      try {
        pem = readFileSync(path, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new OptionError(
          `cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a directory' : (err as Error).message}`,
        );
      }
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new OptionError(`'${path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      return path;
    },
  };
}

export const HOST: OptionDef<string> = {
  name: 'host',
  flag: '--host',
  arg: '<name>',
  parser: text({ pattern: /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/, expect: 'a host name such as api.example.com (no scheme, no port)' }),
  defaultText: "the listener rule's host-header, else the URL's host",
  help: "Host header and TLS server name (SNI) of the probe; it still connects to the load balancer's own addresses",
  file: { section: 'probe' },
};
export const RESOLVE: OptionDef<string[]> = {
  name: 'resolve',
  flag: '--resolve',
  arg: '<host:port:addr>',
  parser: resolveEntries(),
  repeatable: true,
  help: "pin the addresses of a host, curl's HOST:PORT:ADDR[,ADDR…] (IPv6 in brackets; repeatable); the probe spreads requests over them",
  file: { section: 'probe' },
};
export const CA_CERT: OptionDef<string> = {
  name: 'caCert',
  flag: '--ca-cert',
  arg: '<file>',
  parser: pemFile(),
  defaultText: 'only the default CAs and NODE_EXTRA_CA_CERTS',
  help: 'PEM file of a CA the probe trusts besides the default ones (a private CA)',
  file: { section: 'probe' },
};
export const INSECURE: OptionDef<boolean> = {
  name: 'insecure',
  flag: '--insecure',
  parser: boolean(),
  default: false,
  help: 'do NOT verify the TLS certificate (flagged in the plan and the report); prefer --host and --ca-cert',
  file: { section: 'probe' },
  conflicts: ['caCert'],
};
export const PROBE_MODE: OptionDef<string> = {
  name: 'probe',
  flag: '--probe',
  arg: '<kind>',
  parser: choice(['http', 'tcp']),
  default: 'http',
  help: 'http: a request, success by status; tcp: connect only, success = TCP (and, for https://, TLS) handshake within --timeout, latency = connect time',
  file: { section: 'probe', key: 'mode' },
};
/** The transport options, in --help order. */
export const TRANSPORT_OPTIONS: readonly OptionDef[] = [PROBE_MODE, HOST, RESOLVE, CA_CERT, INSECURE];
