/**
 * Reading request bodies, shared by the AWS endpoint (server.ts) and the /_sandbox/* endpoints (control.ts).
 * Its own module so that neither of those two imports the other.
 */
import type { IncomingMessage } from 'node:http';

/** Largest request body accepted; AWS rejects oversized query requests too. */
export const MAX_BODY = 1 << 20;

/** The body as UTF-8, or undefined when it is larger than MAX_BODY. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
