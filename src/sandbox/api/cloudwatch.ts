/**
 * Amazon CloudWatch (API version 2010-08-01, signing name `monitoring`): one handler per action, served in
 * both envelopes its clients speak — AWS JSON 1.0 (cloudwatch-wire.ts, the current JS SDK) and awsQuery
 * (this ServiceDef, through the shared Router, the AWS CLI v2.9).
 */
import { describeAlarmHistory, describeAlarms, deleteAlarms, putMetricAlarm, setAlarmState } from './cloudwatch-alarms.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from '../context.js';
import { Input } from './cloudwatch-input.js';
import { CLOUDWATCH_SIGNING_NAME, CLOUDWATCH_THROTTLE, CLOUDWATCH_XMLNS, handleCloudWatchJson, toXml, type CloudWatchHandler } from './cloudwatch-wire.js';
import type { Handler, Router, ServiceDef } from './router.js';

export { isCloudWatchJson } from './cloudwatch-wire.js';

export const CLOUDWATCH_HANDLERS: Record<string, CloudWatchHandler> = {
  PutMetricAlarm: putMetricAlarm,
  DescribeAlarms: describeAlarms,
  DeleteAlarms: deleteAlarms,
  SetAlarmState: setAlarmState,
  DescribeAlarmHistory: describeAlarmHistory,
};

/** The same handlers behind awsQuery: input from the form keys, output as the `<ActionResult>` XML. */
function queryHandler(h: CloudWatchHandler): Handler {
  return (p, ctx) => {
    const out = h(Input.fromQuery(p), ctx);
    return out ? toXml(out) : '';
  };
}

export const CLOUDWATCH_SERVICE: ServiceDef = {
  signingName: CLOUDWATCH_SIGNING_NAME,
  version: '2010-08-01',
  protocol: 'query',
  xmlns: CLOUDWATCH_XMLNS,
  throttle: CLOUDWATCH_THROTTLE,
  handlers: Object.fromEntries(Object.entries(CLOUDWATCH_HANDLERS).map(([action, h]) => [action, queryHandler(h)])),
};

const KNOBS = { signingName: CLOUDWATCH_SIGNING_NAME, throttle: CLOUDWATCH_THROTTLE };

/** One AWS JSON 1.0 call, with the Router's fault knobs and stalls applied as for every other service. */
export function serveCloudWatchJson(req: IncomingMessage, res: ServerResponse, body: string, ctx: SandboxContext, router: Router): Promise<void> {
  return handleCloudWatchJson(req, res, body, ctx, CLOUDWATCH_HANDLERS, (action) => router.gate(KNOBS, action));
}
