/**
 * One real HTTP server per running instance, on a loopback port. It follows the instance's EC2 state through
 * World events: it starts `appStartMs` after the instance reaches `running` (the application boots after the
 * OS) and closes the moment the instance leaves `running`, destroying open sockets, so in-flight and new
 * connections are reset or refused — what a load balancer sees when an instance dies.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SandboxContext } from '../context.js';
import type { SandboxEvent } from '../world/events.js';
import type { Instance } from '../world/types.js';

interface Running {
  server: Server;
  sockets: Set<Socket>;
}

export class InstanceServers {
  private readonly servers = new Map<string, Running>();
  private readonly starting = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly ctx: SandboxContext) {}

  start(): void {
    this.unsubscribe = this.ctx.world.subscribe((e) => this.onEvent(e));
    // Instances that were already running before the data plane started (fixtures populate the World directly).
    for (const inst of this.ctx.world.instances.values()) if (inst.state === 'running') this.scheduleStart(inst);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.servers.keys()].map((id) => this.close(id)));
  }

  private onEvent(e: SandboxEvent): void {
    if (e.type !== 'instance-state') return;
    const inst = this.ctx.world.instances.get(e.instanceId);
    if (e.to === 'running' && inst) this.scheduleStart(inst);
    else if (e.from === 'running') void this.close(e.instanceId);
  }

  private scheduleStart(inst: Instance): void {
    if (this.starting.has(inst.instanceId) || this.servers.has(inst.instanceId)) return;
    this.starting.add(inst.instanceId);
    this.ctx.timers.after(this.ctx.timings.appStartMs, () => {
      this.starting.delete(inst.instanceId);
      if (inst.state === 'running') void this.listen(inst);
    });
  }

  private async listen(inst: Instance): Promise<void> {
    const sockets = new Set<Socket>();
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const headers = {
        'content-type': 'application/json',
        'x-instance-id': inst.instanceId,
        'x-availability-zone': inst.availabilityZone,
      };
      if (path === '/health') {
        const ok = !inst.appBroken;
        res.writeHead(ok ? 200 : 500, headers).end(JSON.stringify({ status: ok ? 'ok' : 'broken' }));
        return;
      }
      res.writeHead(200, headers).end(JSON.stringify({ instanceId: inst.instanceId, availabilityZone: inst.availabilityZone, path: req.url }));
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    server.keepAliveTimeout = 65_000; // longer than the LB's idle timeout, as AWS recommends for targets
    this.servers.set(inst.instanceId, { server, sockets });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The instance may have died (or the sandbox closed) while the socket was binding.
    if (inst.state !== 'running' || this.ctx.timers.isClosed || this.servers.get(inst.instanceId)?.server !== server) {
      await this.close(inst.instanceId, server);
      return;
    }
    inst.port = (server.address() as AddressInfo).port;
    this.ctx.world.emit({ type: 'instance-server', instanceId: inst.instanceId, change: 'listening', port: inst.port });
  }

  private async close(instanceId: string, only?: Server): Promise<void> {
    const entry = this.servers.get(instanceId);
    const server = only ?? entry?.server;
    if (!server) return;
    if (entry && entry.server === server) this.servers.delete(instanceId);
    const inst = this.ctx.world.instances.get(instanceId);
    if (inst && (!entry || entry.server === server) && inst.port !== undefined) {
      this.ctx.world.emit({ type: 'instance-server', instanceId, change: 'closed', port: inst.port });
      delete inst.port;
    }
    for (const s of entry?.sockets ?? []) s.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  }

  get count(): number {
    return this.servers.size;
  }
}
