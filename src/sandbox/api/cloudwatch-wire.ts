/**
 * CloudWatch's two envelopes around one set of handlers (api/cloudwatch.ts):
 * - AWS JSON 1.0, as the current @aws-sdk/client-cloudwatch speaks it: `POST /`, `X-Amz-Target:
 *   GraniteServiceVersion20100801.<Action>`, `application/x-amz-json-1.0`. The service is awsQueryCompatible
 *   (its Smithy model carries @awsQueryCompatible), so an error also names its awsQuery code and fault in the
 *   `x-amzn-query-error: Code;Sender` header, which the SDK reads first (smithy "awsQueryCompatible trait",
 *   https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait).
 *   The body's `__type` names the model's error shape (e.g. InvalidParameterValueException for the query code
 *   InvalidParameterValue, per each shape's @awsQueryError).
 * - awsQuery (Version 2010-08-01), as the AWS CLI v2.9 speaks it, through the shared Router (cloudwatch.ts).
 * Output values are plain objects: lists become `<member>` lists in XML, Dates ISO 8601 in XML and epoch
 * seconds in JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from '../context.js';
import { parseCredentialScope, scopeError } from './credential-scope.js';
import { ApiError } from './errors.js';
import { Input } from './cloudwatch-input.js';
import { el, esc } from './xml.js';

export type Out = { [k: string]: OutValue };
export type OutValue = string | number | boolean | Date | undefined | OutValue[] | Out;

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
export const CLOUDWATCH_XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
export const CLOUDWATCH_SIGNING_NAME = 'monitoring';
/** CloudWatch's "slow down": awsQuery code Throttling, HTTP 400, "Rate exceeded". */
export const CLOUDWATCH_THROTTLE = { code: 'Throttling', status: 400, message: 'Rate exceeded' };

/** The model's error shape for each awsQuery code CloudWatch answers with (@awsQueryError of each shape). */
const SHAPE_OF_CODE: Record<string, string> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  ResourceNotFound: 'ResourceNotFound',
  LimitExceeded: 'LimitExceededFault',
  InvalidNextToken: 'InvalidNextToken',
  InvalidFormat: 'InvalidFormatFault',
  InternalServiceError: 'InternalServiceFault',
  ValidationError: 'ValidationException',
};

export type CloudWatchHandler = (input: Input, ctx: SandboxContext & { requestId: string }) => Out | undefined;

/** Whether the request is CloudWatch's AWS JSON 1.0 protocol. */
export function isCloudWatchJson(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(CLOUDWATCH_TARGET_PREFIX);
}

/**
 * Serves one JSON 1.0 call: the credential scope, then the fault knobs (`gate`, the Router's), then the handler.
 */
export async function handleCloudWatchJson(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  ctx: SandboxContext,
  handlers: Record<string, CloudWatchHandler>,
  gate: (action: string) => Promise<(() => Promise<void>) | undefined>,
): Promise<void> {
  const requestId = ctx.world.newRequestId();
  const action = String(req.headers['x-amz-target']).slice(CLOUDWATCH_TARGET_PREFIX.length);
  try {
    const scope = parseCredentialScope(req.headers.authorization);
    const refusal = scope && scopeError(scope, { region: ctx.world.region, signingName: CLOUDWATCH_SIGNING_NAME });
    if (refusal) throw refusal;
    const handler = Object.hasOwn(handlers, action) ? handlers[action] : undefined;
    // The JSON protocols' code for an operation the service does not have.
    if (!handler) throw new ApiError('UnknownOperationException', `The operation ${action} is not valid for this web service.`);
    const after = await gate(action);
    const out = handler(Input.fromJson(body), { ...ctx, requestId });
    if (after) await after();
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId }).end(JSON.stringify(toJson(out ?? {})));
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError('InternalServiceError', `An internal error has occurred: ${(err as Error)?.message ?? String(err)}`, 500);
    const shape = SHAPE_OF_CODE[e.code] ?? e.code;
    res
      .writeHead(e.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'x-amzn-query-error': `${e.code};${e.type}` })
      .end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${shape}`, message: e.message }));
  }
}

/** Dates as epoch seconds (the JSON protocols' default timestamp format). */
function toJson(v: OutValue): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJson(x);
    return o;
  }
  return v;
}

/** An output structure as awsQuery XML (the inside of `<ActionResult>`). */
export function toXml(out: Out): string {
  let xml = '';
  for (const [k, v] of Object.entries(out)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      const items = v.map((x) => `<member>${x !== null && typeof x === 'object' && !(x instanceof Date) && !Array.isArray(x) ? toXml(x) : esc(x as string)}</member>`).join('');
      xml += items ? `<${k}>${items}</${k}>` : `<${k}/>`;
    } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      xml += `<${k}>${toXml(v)}</${k}>`;
    } else {
      xml += el(k, v);
    }
  }
  return xml;
}
