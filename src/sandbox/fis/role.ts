/**
 * The one IAM role the sandbox's FIS can assume: `arn:aws:iam::<account>:role/chaos-ec2-fis`, standing in for a
 * role trusted by fis.amazonaws.com with the permissions of the actions (FIS user guide, "IAM roles for AWS FIS
 * experiments", https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html).
 * GET /_sandbox/stack names it (fisRoleArn); any other role cannot be assumed.
 */
export const FIS_ROLE_NAME = 'chaos-ec2-fis';

export function fisRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${FIS_ROLE_NAME}`;
}
