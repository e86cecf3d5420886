// The benchmark's target: a minimal node:http server on 127.0.0.1, run in its own process so it does not
// share an event loop (or a core, when the OS can help it) with the load generator being measured.
import { createServer } from 'node:http';

const body = Buffer.from('hello world\n');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
