/**
 * A loopback HTTP sink in this process: answers every request head with the smallest complete keep-alive
 * response, at as little cost as possible. The probe runs its own code against it where it must not touch the
 * user's service: the plan-time calibration (calibrate.ts) and the open model's warm-up (load-probe.ts).
 * Bound to 127.0.0.1 on an ephemeral port; the caller closes it.
 */
import { createServer, type Server, type Socket } from 'node:net';

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
const END_OF_HEAD = Buffer.from('\r\n\r\n');

export interface LoopbackSink {
  url: string;
  close(): void;
}

/** Runs `fn` with a sink's URL; the sink is closed when it ends, however it ends. */
export async function withLoopbackSink<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const sink = await startLoopbackSink();
  try {
    return await fn(sink.url);
  } finally {
    sink.close();
  }
}

function startLoopbackSink(): Promise<LoopbackSink> {
  const server: Server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let n = 0;
      for (let i = chunk.indexOf(END_OF_HEAD); i >= 0; i = chunk.indexOf(END_OF_HEAD, i + 4)) n++;
      for (let k = 0; k < n; k++) socket.write(RESPONSE);
    });
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => void server.close() });
    });
  });
}
