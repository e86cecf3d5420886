import type { Command } from 'commander';
import { FAULT_KINDS } from '../../faults/catalog.js';
import type { SetExitCode } from '../../core/errors.js';

export function addIamPolicyCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('iam-policy')
    .description('print the least-privilege IAM policy (JSON) that the chosen faults need')
    .option('--faults <list>', `faults to allow, comma-separated: ${FAULT_KINDS.join(',')} (default: all)`)
    .option('--asg <name>', 'only allow acting on instances of this Auto Scaling group')
    .option('--report-dir <s3-url>', 'also allow the S3 report store at s3://BUCKET/PREFIX (read, list, write)')
    .option('--stop-alarm <name|arn>', 'also allow reading this CloudWatch stop alarm and its history (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--metrics-namespace <ns>', 'also allow publishing run metrics (PutMetricData) to this CloudWatch namespace only')
    .option('--engine <engine>', "local (default) | fis: also the fis:* and iam:PassRole statements, and the FIS role's trust and permission policies")
    .option('--fis-role-arn <arn>', 'the FIS role (--engine fis): iam:PassRole on it, and its account in the trust policy')
    .action(async (flags: { faults?: string; asg?: string; reportDir?: string; stopAlarm?: string[]; metricsNamespace?: string; engine?: string; fisRoleArn?: string }) => {
      const { iamPolicyCommand } = await import('./iam-policy.js');
      setExitCode(await iamPolicyCommand(flags));
    });
}
