/**
 * The IAM statements of the CloudWatch options (`chaos-ec2 iam-policy --stop-alarm … --metrics-namespace …`):
 * - stop alarms: cloudwatch:DescribeAlarms and cloudwatch:DescribeAlarmHistory on those alarms only (both
 *   support the `alarm` resource type). A composite alarm is returned only to a DescribeAlarms permission on
 *   Resource "*" (CloudWatch API Reference, DescribeAlarms): with this policy chaos-ec2 would not find it and
 *   would refuse to start (exit 2), never run without it.
 * - metrics: cloudwatch:PutMetricData has no resource type; the `cloudwatch:namespace` condition key limits it
 *   to the one namespace.
 */
import { alarmNameOf, isAlarmArn } from '../aws/cloudwatch-names.js';
import type { IamStatement } from '../faults/types.js';

export function cloudWatchStatements(o: { stopAlarms?: readonly string[]; metricsNamespace?: string }): IamStatement[] {
  const st: IamStatement[] = [];
  if (o.stopAlarms?.length) {
    const arns = [...new Set(o.stopAlarms.map((a) => (isAlarmArn(a) ? a : `arn:aws:cloudwatch:*:*:alarm:${alarmNameOf(a)}`)))];
    st.push({ Sid: 'ReadTheStopAlarms', Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'], Resource: arns.length === 1 ? arns[0]! : arns });
  }
  if (o.metricsNamespace) {
    st.push({
      Sid: 'PublishRunMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': o.metricsNamespace } },
    });
  }
  return st;
}
