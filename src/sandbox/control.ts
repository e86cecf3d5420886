// STUB — replaced by the real control endpoints.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from './context.js';

export async function handleControl(_req: IncomingMessage, res: ServerResponse, url: URL, ctx: SandboxContext): Promise<void> {
  if (url.pathname === '/_sandbox/events') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ctx.world.events()));
    return;
  }
  res.writeHead(404).end();
}
