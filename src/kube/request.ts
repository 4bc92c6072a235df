// Raw JSON requests to any API path. Used where the typed clients do not fit: any apiVersion/kind
// (apply, lists for informers, discovery) and where plain JSON is wanted instead of model classes.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Counter } from 'prom-client';
import { metricsRegistry } from './health.js';

/** Every request this process sends the API server (watches excepted): what "quiet at rest" is measured by. */
const requests = new Counter({ name: 'ordinal_kube_requests_total', help: 'requests sent to the Kubernetes API server', labelNames: ['verb'], registers: [metricsRegistry] });

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Client-side deadline; the request is abandoned after it. Default 30 s. */
  timeoutMs?: number;
}

export async function kubeRequest<T = unknown>(kc: KubeConfig, req: KubeRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));

  requests.inc({ verb: req.method });
  const options: https.RequestOptions = { method: req.method, headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  if (payload) {
    options.headers = { ...options.headers, 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': payload.length };
  }
  const transport = url.protocol === 'http:' ? http : https;
  const what = `${req.method} ${url.pathname}`;

  return new Promise<T>((resolve, reject) => {
    const signal = AbortSignal.any([AbortSignal.timeout(Math.max(1, Math.ceil(req.timeoutMs ?? 30_000))), ...(req.signal ? [req.signal] : [])]);
    const request = transport.request(url, { ...options, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        if (status >= 200 && status < 300) return resolve(parsed as T);
        // Only the Status' reason and message: never the request or response body, which may hold secrets.
        const st = (parsed ?? {}) as { reason?: string; message?: string };
        reject(new KubeApiError(status, st.reason, `${what}: HTTP ${status}${st.message ? `: ${st.message}` : ''}`));
      });
    });
    request.on('error', (err) => reject(signal.aborted ? new Error(`${what}: ${signal.reason?.name === 'TimeoutError' ? 'timed out' : 'aborted'}`) : err));
    if (payload) request.write(payload);
    request.end();
  });
}
