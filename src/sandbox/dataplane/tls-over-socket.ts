/**
 * What a TLS-terminating NLB node runs its TLS session over: a stream fed from the client's TCP socket, never
 * the socket itself. The node must be able to reset that TCP connection under a live session (a target left
 * routing: target-group-health-checks.html), and Node has no reset of a TLS socket (`resetAndDestroy` needs a
 * bare TCP handle). Wrapped directly, the session takes over the socket's native handle and shuts it down
 * itself (close_notify and FIN once the target ended the response) without the socket knowing: its
 * `writableEnded` stays false, so the proxy could not tell that an RST would be refused (nlb-proxy.ts,
 * reset). A refused RST left the handle marked closing but open, still delivering bytes to a session already
 * freed: SIGSEGV in SSL_read on Node 20, 22 and 24 (test/sandbox/nlb-tls-reset.test.ts).
 *
 * Over a stream, the socket stays a plain socket the proxy alone owns: its own `end()` is the only shutdown
 * it gets, so `writableEnded` tells the truth, and the session ends with the stream (the socket closing ends
 * it; the session ending closes the socket).
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export function streamOver(socket: Socket): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      if (socket.destroyed) return done(new Error('the client connection is closed'));
      socket.write(chunk, (err) => done(err ?? null));
    },
    final(done) {
      socket.end(() => done());
    },
    destroy(err, done) {
      socket.destroy();
      done(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once('end', () => stream.push(null));
  socket.once('close', () => stream.destroy());
  return stream;
}
