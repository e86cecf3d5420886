/**
 * The connections to ONE address (one load balancer node): opened as requests need them, up to `max`, kept
 * alive, reused most-recently-idle first, closed after 4 s idle (below the common 5 s server keep-alive,
 * so the server never closes one under a request being written).
 *
 * The hot path allocates nothing per request: the request is a pre-built Buffer (http1.ts), a response is
 * found by the incremental parser, and a request's end is reported through the owner's one `settle` method
 * with the request object the owner passed in (no callback per request).
 *
 * A request waits in this node's queue only when every connection is busy. A failed connection attempt fails
 * the OLDEST waiting request with its error (connect_refused, connect_timeout, tls …): each attempt is opened
 * for a waiting request, so each waiting request fails with the failure of "its" attempt, not with a timeout.
 * Pipelining (`depth` > 1) is only for the probe's explicit closed-loop mode: in the open model a request
 * queued behind another on the same connection would wait for it, which is latency the service did not cause.
 */
import type { Socket } from 'node:net';
import { ProtocolError, ResponseParser } from './http1.js';

/** What the pool needs of a request: whether it already ended (its deadline), and its sequence number. */
export interface PoolRequest {
  done: boolean;
  seq: number;
  conn: Conn<PoolRequest> | undefined;
}

export interface PoolOwner<R extends PoolRequest> {
  /** A request ended: `status` is the HTTP status, or null with `err`. `now` is the probe's clock, read once per read. */
  settle(r: R, status: number | null, err: unknown, now: number): void;
  now(): number;
}

/** Dials this pool's address (TLS verified for https); calls back once with the ready socket or the error. */
export type Dial = (callback: (err: Error | null, socket: Socket | null) => void) => Socket | undefined;

export interface PoolOptions {
  dial: Dial;
  /** The request's bytes (the same for every request of a probe). */
  request: Buffer;
  /** A HEAD request: responses carry no body whatever their headers say. */
  headRequest: boolean;
  max: number;
  /** Requests in flight per connection: 1, unless the probe runs closed loop with pipelining. */
  depth: number;
}

const IDLE_CLOSE_MS = 4000;
// Connection attempts in progress at once while the node is not answering (blackholed, hung, refusing): one
// attempt per waiting request, so each fails with its own connect error, never a storm of handshakes.
const MAX_CONNECTING = 16;
// ... and while it IS answering (a response within the last ANSWERING_MS): one at a time, and only for a
// request that has waited GROW_AFTER_MS. The connections it has are draining the queue, so a burst of waiting
// requests (a wake-up 10 ms late sends 10 ms of schedule at once) is served by them within milliseconds.
// Dialling one connection per waiting request instead opened hundreds in the first second at 50,000 req/s,
// and their set-up cost (ours and the server's) made the next wake-up later still: a feedback loop behind most
// of the first seconds' late sends (bench/README.md "Open model"). The cost: while a node answers but every
// connection to it is busy, a request may wait up to GROW_AFTER_MS in the probe before a connection is
// dialled for it, which its latency (from the intended send) includes. ANSWERING_MS is longer than the
// probe's own worst stalls (~30 ms), so a stall of ours is not taken for a node that stopped answering.
const MAX_CONNECTING_ANSWERING = 1;
const ANSWERING_MS = 50;
const GROW_AFTER_MS = 3;

const closedByPeer = (): Error => Object.assign(new Error('connection closed by the server'), { code: 'UND_ERR_SOCKET' });

export class NodePool<R extends PoolRequest> {
  private readonly idle: Conn<R>[] = [];
  private readonly conns = new Set<Conn<R>>();
  private waiting: R[] = [];
  private waitingSeq: number[] = [];
  /** The owner's clock when each waiting request was queued. */
  private waitingAt: number[] = [];
  private growTimer: NodeJS.Timeout | undefined;
  private waitHead = 0;
  private connecting = 0;
  private closed = false;
  /** The owner's clock at the last response on any of this node's connections. */
  lastAnswerAt = -Infinity;

  constructor(
    readonly o: PoolOptions,
    readonly owner: PoolOwner<R>,
  ) {}

  /** Connections open or opening. */
  get size(): number {
    return this.conns.size;
  }

  /** Connection attempts in progress. */
  get dialling(): number {
    return this.connecting;
  }

  /** Sends `r` on an idle connection, or queues it (opening a connection for it when below `max`). */
  dispatch(r: R): void {
    const c = this.idle.pop();
    if (c) {
      c.inIdle = false;
      c.send(r);
      if (c.hasRoom()) this.toIdle(c);
      return;
    }
    this.waiting.push(r);
    this.waitingSeq.push(r.seq);
    this.waitingAt.push(this.owner.now());
    this.grow();
  }

  /** Opens connections ahead of the first send (open model warm-up); resolves when they are up (or failed). */
  warm(count: number): Promise<void> {
    const want = Math.min(count, this.o.max) - this.conns.size;
    const opened: Promise<void>[] = [];
    for (let i = 0; i < want; i++) opened.push(new Promise<void>((resolve) => this.open(resolve)));
    return Promise.all(opened).then(() => undefined);
  }

  /** Closes connections idle for longer than the keep-alive margin. */
  sweep(now: number): void {
    if (this.idle.length === 0) return;
    const keep: Conn<R>[] = [];
    for (const c of this.idle) {
      if (now - c.lastUsed > IDLE_CLOSE_MS && c.inflightCount() === 0) {
        c.inIdle = false;
        c.destroy(null);
      } else keep.push(c);
    }
    this.idle.length = 0;
    this.idle.push(...keep);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.growTimer);
    for (const c of [...this.conns]) c.destroy(null);
  }

  /** A connection has room again (connected, or a response ended): the next waiting request, or idle. */
  available(c: Conn<R>): void {
    const r = this.nextWaiting();
    if (r) {
      c.send(r);
      if (c.hasRoom()) this.available(c);
      return;
    }
    c.lastUsed = this.owner.now();
    if (!c.inIdle) this.toIdle(c);
  }

  private toIdle(c: Conn<R>): void {
    c.inIdle = true;
    this.idle.push(c);
  }

  /** A connection attempt failed: the oldest waiting request fails with its error; more attempts if needed. */
  connectFailed(c: Conn<R>, err: Error): void {
    this.connecting--;
    this.conns.delete(c);
    const r = this.nextWaiting();
    if (r) this.owner.settle(r, null, err, this.owner.now());
    this.grow();
  }

  /** A connection is up: it takes the next waiting request, and another attempt starts if more still wait. */
  connected(c: Conn<R>): void {
    this.connecting--;
    this.available(c);
    this.grow();
  }

  /** A connection is gone (closed, errored or destroyed): no longer used; waiting requests get another. */
  gone(c: Conn<R>): void {
    this.conns.delete(c);
    if (c.inIdle) {
      c.inIdle = false;
      this.idle.splice(this.idle.indexOf(c), 1);
    }
    this.grow();
  }

  private grow(): void {
    if (this.closed) return;
    const waitingNow = this.waiting.length - this.waitHead;
    if (waitingNow === 0) return;
    const now = this.owner.now();
    const answering = now - this.lastAnswerAt < ANSWERING_MS;
    if (answering) {
      const waited = now - (this.waitingAt[this.waitHead] as number);
      if (waited < GROW_AFTER_MS) {
        this.growTimer ??= setTimeout(this.growLater, Math.ceil(GROW_AFTER_MS - waited));
        return;
      }
    }
    const limit = answering ? MAX_CONNECTING_ANSWERING : MAX_CONNECTING;
    while (this.connecting < waitingNow && this.connecting < limit && this.conns.size < this.o.max) this.open();
  }

  private readonly growLater = (): void => {
    this.growTimer = undefined;
    this.grow();
  };

  private open(onSettled?: () => void): void {
    this.connecting++;
    const c = new Conn<R>(this, onSettled);
    this.conns.add(c);
  }

  /** The oldest waiting request that has not ended meanwhile (its deadline passed while it waited). */
  private nextWaiting(): R | undefined {
    while (this.waitHead < this.waiting.length) {
      const r = this.waiting[this.waitHead] as R;
      const seq = this.waitingSeq[this.waitHead] as number;
      this.waitHead++;
      // The owner recycles request objects: a stale entry is one that ended, or was reused since.
      if (!r.done && r.seq === seq) {
        this.compact();
        return r;
      }
    }
    this.compact();
    return undefined;
  }

  private compact(): void {
    if (this.waitHead === this.waiting.length) {
      this.waiting.length = 0;
      this.waitingSeq.length = 0;
      this.waitingAt.length = 0;
      this.waitHead = 0;
    } else if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitingSeq = this.waitingSeq.slice(this.waitHead);
      this.waitingAt = this.waitingAt.slice(this.waitHead);
      this.waitHead = 0;
    }
  }
}

/** One connection: requests written back to back, responses matched to them in order. */
export class Conn<R extends PoolRequest> {
  lastUsed = 0;
  /** In the pool's idle stack (a flag, not a search: the stack can hold hundreds). */
  inIdle = false;
  private socket: Socket | undefined;
  private ready = false;
  private dead = false;
  private readonly inflight: R[] = [];
  private readonly parser: ResponseParser;

  constructor(
    private readonly pool: NodePool<R>,
    private onSettled: (() => void) | undefined,
  ) {
    this.parser = new ResponseParser(pool.o.headRequest);
    this.socket = pool.o.dial((err, socket) => this.onDial(err, socket));
  }

  hasRoom(): boolean {
    return this.ready && !this.dead && this.inflight.length < this.pool.o.depth;
  }

  inflightCount(): number {
    return this.inflight.length;
  }

  send(r: R): void {
    r.conn = this;
    this.inflight.push(r);
    this.socket!.write(this.pool.o.request);
  }

  /** Ends the connection; every request still on it fails with `err` (null: a quiet close of an idle one). */
  destroy(err: Error | null): void {
    if (this.dead) return;
    this.dead = true;
    this.socket?.destroy();
    this.fail(err ?? closedByPeer());
    if (this.ready) this.pool.gone(this);
  }

  private onDial(err: Error | null, socket: Socket | null): void {
    this.onSettled?.();
    this.onSettled = undefined;
    if (err || !socket) {
      this.dead = true;
      this.pool.connectFailed(this, err ?? new Error('no socket'));
      return;
    }
    this.socket = socket;
    if (this.dead) return void socket.destroy();
    this.ready = true;
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.pool.connected(this);
  }

  private readonly onData = (chunk: Buffer): void => {
    let n: number;
    try {
      n = this.parser.feed(chunk);
    } catch (err) {
      return this.destroy(err as ProtocolError);
    }
    if (n === 0) return;
    if (n > this.inflight.length) return this.destroy(new ProtocolError('response without a request'));
    const owner = this.pool.owner;
    const now = owner.now();
    this.pool.lastAnswerAt = now;
    for (let i = 0; i < n; i++) {
      const r = this.inflight.shift() as R;
      r.conn = undefined;
      const last = i === n - 1;
      // Room first, then the result: a closed loop's next request then finds this connection idle.
      if (last && !this.parser.closeAfter) this.pool.available(this);
      owner.settle(r, this.parser.statuses[i] as number, null, now);
    }
    if (this.parser.closeAfter) this.destroy(null);
  };

  private readonly onError = (err: Error): void => this.destroy(err);

  private readonly onClose = (): void => {
    if (this.dead) return;
    // A body delimited by the end of the connection ends now; anything else in flight was cut.
    if (this.parser.end() === 1 && this.inflight.length > 0) {
      const r = this.inflight.shift() as R;
      r.conn = undefined;
      this.pool.owner.settle(r, this.parser.statuses[0] as number, null, this.pool.owner.now());
    }
    this.destroy(null);
  };

  private fail(err: Error): void {
    if (this.inflight.length === 0) return;
    const owner = this.pool.owner;
    const now = owner.now();
    const cut = this.inflight.splice(0);
    for (const r of cut) {
      r.conn = undefined;
      owner.settle(r, null, err, now);
    }
  }
}
