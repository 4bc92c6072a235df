// The operator's own HTTP endpoints: liveness, readiness and Prometheus metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** The operator's registry, with Node's default metrics; register counters (failovers...) here. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export interface HealthServerOptions {
  port: number;
  host?: string;
  /** /readyz answers 200 only when this is true. */
  ready: () => boolean;
  registry?: Registry;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Ready when every cache has synced, or when this process is a standby: a standby that is not the
 * leader is healthy and must not be restarted or taken out of its Service for waiting.
 */
export function syncedOrStandby(caches: { hasSynced(): boolean }[], leader?: { isLeader(): boolean }): () => boolean {
  return () => (leader !== undefined && !leader.isLeader()) || caches.every((c) => c.hasSynced());
}

export function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const registry = opts.registry ?? metricsRegistry;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      let ready = false;
      try {
        ready = opts.ready();
      } catch {
        ready = false;
      }
      return ready ? reply(200, 'ok\n') : reply(503, 'not ready\n');
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        () => reply(500, 'metrics unavailable\n'),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
