/**
 * Shared config file sections for credential tests (written to a temp AWS_CONFIG_FILE, never ~/.aws): a profile
 * `mfa` that assumes a role from the static keys of `base`, with an MFA device, as users configure it.
 */
export const MFA_SERIAL = 'arn:aws:iam::123456789012:mfa/operator';

export const MFA_PROFILE_LINES = [
  '[profile base]',
  'aws_access_key_id = AKIASANDBOXBASE00000',
  'aws_secret_access_key = sandbox-secret',
  '[profile mfa]',
  'role_arn = arn:aws:iam::123456789012:role/chaos-operator',
  'source_profile = base',
  `mfa_serial = ${MFA_SERIAL}`,
  'region = us-east-1',
];
