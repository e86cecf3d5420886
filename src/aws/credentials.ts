/**
 * One credential provider for every client of a run. Each SDK client given no `credentials` builds its own
 * default chain, so a profile with `role_arn` would AssumeRole, and a `credential_process` would run, once per
 * client (five of them). Here the SDK's node provider chain (environment, SSO, web identity, shared config and
 * credentials files with `--profile`, container and instance metadata) is built once; it memoizes what it
 * resolves and renews it about five minutes before it expires, and every client shares that one chain.
 *
 * A profile with `mfa_serial` needs a code before its AssumeRole: the chain asks `mfaCode` (the CLI prompts on
 * a TTY and refuses without one). The default refuses: a command that cannot ask must never hang.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { ChaosError, ExitCode } from '../core/errors.js';

type Provider = ReturnType<typeof defaultProvider>;
/** Resolved credentials, as the SDK hands them to its signer. */
export type Credentials = Awaited<ReturnType<Provider>>;

/** Keys given directly (in-process tests against the sandbox); `expiration` when they are session credentials. */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Asks for the current code of the MFA device `serial` (an ARN or a hardware serial number). */
export type MfaCodeProvider = (serial: string) => Promise<string>;

export interface CredentialInfo {
  /** Where they came from, in words: "environment (AWS_ACCESS_KEY_ID)", "assume-role (profile ops)", … */
  source: string;
  expiration?: Date;
  /**
   * The SDK fetches new ones by itself before they expire (assume-role, SSO, web identity, credential_process,
   * container and instance metadata). Environment and static keys cannot be renewed: when they expire, every
   * call fails, a rollback included.
   */
  refreshable: boolean;
}

export interface SharedCredentials {
  /** Given as `credentials` to every client. */
  provider: () => Promise<Credentials>;
  /** Resolves them (through the same memoized chain) and says where they came from and when they expire. */
  info(): Promise<CredentialInfo>;
}

export interface CredentialOptions {
  profile?: string;
  static?: StaticCredentials;
  mfaCode?: MfaCodeProvider;
  /** The environment the chain reads (process.env); a parameter for the fallback below. */
  env?: NodeJS.ProcessEnv;
}

/** The profile the chain uses: --profile, else AWS_PROFILE, else `default`. */
export function profileName(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return profile ?? env.AWS_PROFILE ?? 'default';
}

/** Without a way to ask (recover, in-process callers): refused, since the SDK would otherwise fail deep in a call. */
function refuseMfa(profile: string): MfaCodeProvider {
  return (serial) =>
    Promise.reject(
      new ChaosError(ExitCode.Usage, `profile ${profile} needs an MFA code (mfa_serial ${serial}) and this command cannot ask for one`, {
        phase: 'config',
        hint: 'export session credentials from `aws sts get-session-token --serial-number … --token-code …` and run again',
      }),
    );
}

export function sharedCredentials(opts: CredentialOptions = {}): SharedCredentials {
  const env = opts.env ?? process.env;
  if (opts.static) {
    const creds = { ...opts.static };
    return {
      provider: () => Promise.resolve(creds),
      info: () => Promise.resolve({ source: 'static credentials', ...(creds.expiration ? { expiration: creds.expiration } : {}), refreshable: false }),
    };
  }
  const profile = profileName(opts.profile, env);
  const ask = opts.mfaCode ?? refuseMfa(profile);
  let mfa = false;
  const mfaCodeProvider: MfaCodeProvider = (serial) => {
    mfa = true;
    return ask(serial);
  };
  const chain = defaultProvider({ ...(opts.profile ? { profile: opts.profile } : {}), mfaCodeProvider });
  const provider = () => chain();
  return {
    provider,
    async info() {
      const creds = await provider();
      const expiration = creds.expiration ? { expiration: creds.expiration } : {};
      // Renewing a role assumed with MFA needs a new code: a person at the prompt, perhaps in the middle of a
      // rollback. Such credentials count as not renewable, so a run that would outlive them is refused.
      if (mfa) return { source: `assume-role with MFA (profile ${profile})`, refreshable: false, ...expiration };
      return { ...describeSource(creds, opts.profile, env), ...expiration };
    },
  };
}

/** The SDK's credential feature ids ($source, set by each provider since 3.6xx) → what a person calls them. */
const SOURCES: { ids: string[]; source: (profile: string) => string; refreshable: boolean }[] = [
  { ids: ['CREDENTIALS_STS_ASSUME_ROLE_WEB_ID', 'CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN', 'CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN'], source: () => 'web identity', refreshable: true },
  { ids: ['CREDENTIALS_STS_ASSUME_ROLE', 'CREDENTIALS_PROFILE_SOURCE_PROFILE', 'CREDENTIALS_PROFILE_NAMED_PROVIDER'], source: (p) => `assume-role (profile ${p})`, refreshable: true },
  { ids: ['CREDENTIALS_SSO', 'CREDENTIALS_PROFILE_SSO', 'CREDENTIALS_SSO_LEGACY', 'CREDENTIALS_PROFILE_SSO_LEGACY'], source: (p) => `SSO (profile ${p})`, refreshable: true },
  { ids: ['CREDENTIALS_PROCESS', 'CREDENTIALS_PROFILE_PROCESS'], source: (p) => `credential_process (profile ${p})`, refreshable: true },
  { ids: ['CREDENTIALS_LOGIN', 'CREDENTIALS_PROFILE_LOGIN'], source: (p) => `aws login (profile ${p})`, refreshable: true },
  { ids: ['CREDENTIALS_IMDS'], source: () => 'instance metadata', refreshable: true },
  { ids: ['CREDENTIALS_HTTP'], source: () => 'container metadata', refreshable: true },
  { ids: ['CREDENTIALS_ENV_VARS'], source: () => 'environment (AWS_ACCESS_KEY_ID)', refreshable: false },
  { ids: ['CREDENTIALS_PROFILE'], source: (p) => `static keys (profile ${p})`, refreshable: false },
];

/**
 * Which provider supplied `creds`. The SDK marks resolved credentials with feature ids in `$source`; an older
 * or third-party provider may not, and then the environment decides: the chain takes AWS_ACCESS_KEY_ID first
 * unless a profile is named.
 */
export function describeSource(creds: Credentials, profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Omit<CredentialInfo, 'expiration'> {
  const ids = Object.keys((creds as { $source?: Record<string, string> }).$source ?? {});
  const name = profileName(profile, env);
  // Checked in table order: an assumed role whose source keys came from the environment is still renewed.
  for (const s of SOURCES) if (s.ids.some((id) => ids.includes(id))) return { source: s.source(name), refreshable: s.refreshable };
  if (!profile && !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID) return { source: 'environment (AWS_ACCESS_KEY_ID)', refreshable: false };
  // Unknown: assume the SDK can renew them rather than refuse a run on a guess.
  return { source: `profile ${name}`, refreshable: true };
}
