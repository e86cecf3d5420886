/**
 * Where credentials came from (the SDK's $source feature ids, else the environment), which ones the refusal
 * applies to (only those the SDK cannot renew), the arithmetic of "long enough", and the MFA prompt on a TTY.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeSource, sharedCredentials, type Credentials } from '../../src/aws/credentials.js';
import { checkCredentialExpiry, credentialsNeededMs, describeCredentials } from '../../src/experiment/credential-expiry.js';
import { mfaPrompt } from '../../src/cli/mfa-prompt.js';
import { ChaosError } from '../../src/core/errors.js';

const creds = (source: Record<string, string>): Credentials => ({ accessKeyId: 'AKIA', secretAccessKey: 's', $source: source }) as Credentials;

describe('describeSource', () => {
  it('reads the SDK feature ids: assume-role, SSO, web identity, process and metadata are renewed; environment keys are not', () => {
    expect(describeSource(creds({ CREDENTIALS_PROFILE_SOURCE_PROFILE: 'o', CREDENTIALS_STS_ASSUME_ROLE: 'i' }), 'ops', {})).toEqual({
      source: 'assume-role (profile ops)',
      refreshable: true,
    });
    expect(describeSource(creds({ CREDENTIALS_PROFILE_SSO: 'r', CREDENTIALS_SSO: 's' }), undefined, { AWS_PROFILE: 'dev' })).toEqual({ source: 'SSO (profile dev)', refreshable: true });
    expect(describeSource(creds({ CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: 'h', CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: 'k' }), undefined, {})).toEqual({
      source: 'web identity',
      refreshable: true,
    });
    expect(describeSource(creds({ CREDENTIALS_IMDS: '0' }), undefined, {})).toEqual({ source: 'instance metadata', refreshable: true });
    expect(describeSource(creds({ CREDENTIALS_ENV_VARS: 'g' }), undefined, {})).toEqual({ source: 'environment (AWS_ACCESS_KEY_ID)', refreshable: false });
    // A role assumed with keys from the environment (credential_source = Environment) is still renewed.
    expect(describeSource(creds({ CREDENTIALS_ENV_VARS: 'g', CREDENTIALS_STS_ASSUME_ROLE: 'i' }), 'ci', {}).refreshable).toBe(true);
  });

  it('without feature ids, AWS_ACCESS_KEY_ID (and no profile) means the environment', () => {
    expect(describeSource(creds({}), undefined, { AWS_ACCESS_KEY_ID: 'AKIA' })).toEqual({ source: 'environment (AWS_ACCESS_KEY_ID)', refreshable: false });
    expect(describeSource(creds({}), 'ops', { AWS_ACCESS_KEY_ID: 'AKIA' }).refreshable).toBe(true);
  });

  it('static credentials with an expiry are not renewable, and say when they expire', async () => {
    const expiration = new Date('2026-01-01T01:00:00Z');
    const shared = sharedCredentials({ static: { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't', expiration } });
    expect(await shared.info()).toEqual({ source: 'static credentials', expiration, refreshable: false });
    expect((await shared.provider()).sessionToken).toBe('t');
  });
});

describe('credential expiry', () => {
  const cfg = { baselineMs: 60_000, recoveryTimeoutMs: 600_000, steadyMs: 10_000 };
  const now = Date.parse('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now + ms);

  it('needs baseline + hold + recovery timeout + steady + the rollback window (at most 60 s)', () => {
    expect(credentialsNeededMs(cfg, 120_000)).toBe(60_000 + 120_000 + 600_000 + 10_000 + 60_000);
  });

  it('refuses (exit 3) credentials that cannot be renewed and expire before the run could be over, naming both times', () => {
    const needed = credentialsNeededMs(cfg, 0);
    const err = (() => {
      try {
        checkCredentialExpiry({ source: 'environment (AWS_ACCESS_KEY_ID)', expiration: at(120_000), refreshable: false }, needed, now);
      } catch (e) {
        return e as ChaosError;
      }
    })();
    expect(err).toBeInstanceOf(ChaosError);
    expect(err!.exitCode).toBe(3);
    expect(err!.message).toMatch(/expire at 2026-01-01T00:02:00\.000Z \(in 2m00s\), but this run may take up to 12m10s/);
    expect(err!.hint).toMatch(/longer session .* or a shorter --recovery-timeout/);
    // Exactly long enough is enough.
    expect(() => checkCredentialExpiry({ source: 'x', expiration: at(needed), refreshable: false }, needed, now)).not.toThrow();
  });

  it('never refuses renewable credentials, nor ones with no known expiry', () => {
    expect(() => checkCredentialExpiry({ source: 'assume-role (profile ops)', expiration: at(60_000), refreshable: true }, 3_600_000, now)).not.toThrow();
    expect(() => checkCredentialExpiry({ source: 'static keys (profile ops)', refreshable: false }, 3_600_000, now)).not.toThrow();
  });

  it('the plan line says when they expire and whether the SDK renews them', () => {
    expect(describeCredentials({ source: 'assume-role (profile ops)', expiration: at(3_600_000), refreshable: true })).toBe(
      'assume-role (profile ops), expire 2026-01-01T01:00:00.000Z (renewed by the SDK)',
    );
    expect(describeCredentials({ source: 'environment (AWS_ACCESS_KEY_ID)', refreshable: false })).toBe('environment (AWS_ACCESS_KEY_ID)');
  });
});

describe('mfaPrompt', () => {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true }) as unknown as NodeJS.ReadStream;

  it('on a TTY, asks for the code naming the device and profile, and hands back what was typed', async () => {
    const input = tty();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (d: Buffer) => (asked += d.toString()));
    const code = mfaPrompt('ops', input, output)('arn:aws:iam::123456789012:mfa/me');
    input.write('123456\n');
    await expect(code).resolves.toBe('123456');
    expect(asked).toContain('MFA code for arn:aws:iam::123456789012:mfa/me (profile ops): ');
  });

  it('a code that is not 6 digits, or end of input, is a usage error (exit 2)', async () => {
    const input = tty();
    const bad = mfaPrompt('ops', input, new PassThrough())('serial');
    input.write('12ab\n');
    await expect(bad).rejects.toMatchObject({ exitCode: 2, message: "MFA code for profile ops: '12ab' is not a 6-digit code" });
    const closed = tty();
    const none = mfaPrompt('ops', closed, new PassThrough())('serial');
    closed.end();
    await expect(none).rejects.toMatchObject({ exitCode: 2 });
  });

  it('without a TTY, refuses at once (exit 2) with the hint, never waiting for input', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    await expect(mfaPrompt('ops', input, new PassThrough())('serial-1')).rejects.toMatchObject({
      exitCode: 2,
      message: 'profile ops needs an MFA code (mfa_serial serial-1) and stdin is not a TTY: nobody can type it',
    });
  });
});
