/**
 * The listening side of a load balancer's nodes: one server per node address (each AZ's node has its own
 * loopback address, as each ALB/NLB node has its own IP behind the DNS name), all on ONE port, because a
 * listener has one Port whichever node a client reaches. The first bind picks a free port; the others must
 * get the same one on their addresses, and another process may hold it there, so the whole set is retried.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** Attempts at finding one port free on every node address. */
const BIND_ATTEMPTS = 20;

export class NodeFronts {
  private servers: Server[] = [];

  /**
   * @param accept every accepted client connection, whichever node address it reached
   * @param pauseOnConnect hand sockets over paused (an NLB reads nothing from a client until its target answered)
   */
  constructor(
    private readonly accept: (socket: Socket) => void,
    private readonly pauseOnConnect = false,
  ) {}

  /** Binds every address on one port and returns it. */
  async open(addresses: string[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.bindAll(addresses);
      } catch (err) {
        await this.close();
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= BIND_ATTEMPTS) throw err;
      }
    }
  }

  private async bindAll(addresses: string[]): Promise<number> {
    let port = 0;
    for (const address of addresses) {
      const server = createServer({ pauseOnConnect: this.pauseOnConnect }, (socket) => this.accept(socket));
      this.servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, address, () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as { port: number }).port;
    }
    return port;
  }

  async close(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}
