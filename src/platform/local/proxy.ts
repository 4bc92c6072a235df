// A local TCP endpoint that forwards each client connection to one backend chosen when
// the connection arrives. When the routing changes, connections to backends that are no
// longer chosen are cut, so no client keeps talking to an old primary. While there is no
// backend (mid-failover) new connections wait briefly instead of failing at once.
import net from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

const HOLD_MS = 10_000;

export class TcpEndpoint {
  private server?: net.Server;
  private backends: Backend[] = [];
  private next = 0;
  private live = new Set<{ client: net.Socket; upstream: net.Socket; backend: Backend }>();
  private waiting = new Set<{ client: net.Socket; timer: NodeJS.Timeout }>();

  constructor(readonly host: string, readonly port: number, readonly name: string) {}

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => this.accept(client));
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  /** Replace the backends; cut connections to any backend not in the new list. */
  setBackends(backends: Backend[]): void {
    const key = (b: Backend) => `${b.host}:${b.port}`;
    const keep = new Set(backends.map(key));
    this.backends = backends;
    for (const c of this.live) {
      if (!keep.has(key(c.backend))) {
        c.client.destroy();
        c.upstream.destroy();
        this.live.delete(c);
      }
    }
    if (backends.length > 0) {
      for (const w of this.waiting) {
        clearTimeout(w.timer);
        this.waiting.delete(w);
        this.connect(w.client);
      }
    }
  }

  connections(): number {
    return this.live.size;
  }

  async close(): Promise<void> {
    for (const c of this.live) {
      c.client.destroy();
      c.upstream.destroy();
    }
    for (const w of this.waiting) {
      clearTimeout(w.timer);
      w.client.destroy();
    }
    this.live.clear();
    this.waiting.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    client.setNoDelay(true);
    if (this.backends.length > 0) return this.connect(client);
    const w = {
      client,
      timer: setTimeout(() => {
        this.waiting.delete(w);
        client.destroy();
      }, HOLD_MS),
    };
    this.waiting.add(w);
    client.once('close', () => {
      clearTimeout(w.timer);
      this.waiting.delete(w);
    });
  }

  private connect(client: net.Socket): void {
    if (client.destroyed) return;
    const backend = this.backends[this.next++ % this.backends.length];
    const upstream = net.connect({ host: backend.host, port: backend.port });
    upstream.setNoDelay(true);
    const entry = { client, upstream, backend };
    this.live.add(entry);
    const end = () => {
      this.live.delete(entry);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
