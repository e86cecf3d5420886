/**
 * Credentials that run out mid-run. A run signs calls until its rollback is verified: baseline, hold, recovery
 * timeout, steady window and the rollback's retry window. Credentials the SDK cannot renew (environment keys
 * with AWS_CREDENTIAL_EXPIRATION, static session keys with a known expiry) that expire before then would leave
 * the rollback failing with ExpiredToken while an AZ is dark — so the run is refused before anything is
 * injected. Renewable ones (assume-role, SSO, web identity, credential_process, instance metadata) are shown
 * with their expiry and not refused: the SDK fetches new ones about five minutes before they lapse.
 */
import type { AwsClients } from '../aws/clients.js';
import type { CredentialInfo } from '../aws/credentials.js';
import { call } from '../aws/errors.js';
import { refused } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import type { RunConfig } from './config.js';
import type { Plan } from './types.js';
import { rollbackWindowMs } from './undo.js';

/** The longest a run can need its credentials for, from now (the lease's sum without its margin). */
export function credentialsNeededMs(cfg: Pick<RunConfig, 'baselineMs' | 'recoveryTimeoutMs' | 'steadyMs'>, holdMs: number): number {
  return cfg.baselineMs + holdMs + cfg.recoveryTimeoutMs + cfg.steadyMs + rollbackWindowMs(cfg);
}

/** The plan's line about the credentials: where from, and when they expire (and whether the SDK renews them). */
export function describeCredentials(info: CredentialInfo): string {
  if (!info.expiration) return info.source;
  return `${info.source}, expire ${info.expiration.toISOString()}${info.refreshable ? ' (renewed by the SDK)' : ' (cannot be renewed)'}`;
}

/** Refuses (exit 3) when credentials that cannot be renewed expire before the run could be over. */
export function checkCredentialExpiry(info: CredentialInfo, neededMs: number, now: number): void {
  if (info.refreshable || !info.expiration) return;
  const expiresAt = info.expiration.getTime();
  if (expiresAt >= now + neededMs) return;
  const left = expiresAt - now;
  throw refused(
    `credentials from ${info.source} expire at ${info.expiration.toISOString()} (${left > 0 ? `in ${formatDuration(left)}` : 'already expired'}), ` +
      `but this run may take up to ${formatDuration(neededMs)} (baseline + hold + --recovery-timeout + steady window + rollback window); they cannot be renewed, and a rollback must never run on expired credentials`,
    { phase: 'plan', hint: 'use a longer session (e.g. --duration-seconds / the role’s max session duration) or a shorter --recovery-timeout' },
  );
}

/**
 * Before the plan is shown: reads the run's credentials (already resolved by discovery: the chain is memoized)
 * and puts their line in the plan. Returns the refusal check, which runs after the plan is shown, with the
 * other refusals that need the plan in front of the operator.
 */
export async function planCredentials(clients: Pick<AwsClients, 'credentialInfo'>, plan: Plan): Promise<{ check(neededMs: number, now: number): void }> {
  const info = await call('resolving AWS credentials', { phase: 'plan' }, () => clients.credentialInfo());
  plan.credentials = describeCredentials(info);
  return { check: (neededMs, now) => checkCredentialExpiry(info, neededMs, now) };
}
