/**
 * XML writing for the query protocols. Handlers build their result body with `el`/`list`; the router wraps
 * it in the protocol's envelope. EC2 lists use <item>, awsQuery lists use <member>.
 */
export type XmlValue = string | number | boolean | Date | null | undefined;

export function esc(v: XmlValue): string {
  const s = v instanceof Date ? v.toISOString() : String(v);
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `<name>value</name>`; omitted entirely when value is null/undefined, as AWS omits absent fields. */
export function el(name: string, value: XmlValue): string {
  if (value === null || value === undefined) return '';
  return `<${name}>${esc(value)}</${name}>`;
}

/** `<name>…inner xml…</name>` for nested structures (inner is already XML). */
export function node(name: string, ...inner: string[]): string {
  return `<${name}>${inner.join('')}</${name}>`;
}

/** A list: `<name><item>…</item>…</name>` (EC2) or with `member` (awsQuery). Empty lists stay as `<name/>`. */
export function list<T>(name: string, items: Iterable<T>, render: (item: T) => string, member: 'item' | 'member'): string {
  let inner = '';
  for (const it of items) inner += `<${member}>${render(it)}</${member}>`;
  return inner ? `<${name}>${inner}</${name}>` : `<${name}/>`;
}

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export function ec2Envelope(action: string, requestId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${el('requestId', requestId)}${body}</${action}Response>`;
}

export function ec2ErrorEnvelope(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>${el('RequestID', requestId)}</Response>`;
}

/**
 * What a handler returns for an action whose output is an empty structure with a result wrapper
 * (PutLifecycleHookAnswer, PutWarmPoolAnswer, … in the service model): AWS answers `<PutWarmPoolResult/>`,
 * and botocore (the AWS CLI) fails without it, while the JS SDK accepts either.
 */
export const EMPTY_RESULT = '<empty-result/>';

export function queryEnvelope(action: string, xmlns: string, requestId: string, result: string): string {
  // Actions without output (SetDesiredCapacity, …) answer with no Result element, as AWS does.
  const body = result === EMPTY_RESULT ? `<${action}Result/>` : result ? `<${action}Result>${result}</${action}Result>` : '';
  return `<${action}Response xmlns="${xmlns}">${body}<ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`;
}

export function queryErrorEnvelope(type: string, code: string, message: string, requestId: string): string {
  return `<ErrorResponse><Error>${el('Type', type)}${el('Code', code)}${el('Message', message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`;
}
