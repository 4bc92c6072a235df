// The supervisor's control channel: HTTP over a Unix socket inside the cluster's folder
// (mode 0700 folder, so only the owner can talk to it). The CLI is its only client.
import http from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';

export type Handler = (body: any) => Promise<unknown>;

export function serveControl(socketPath: string, routes: Record<string, Handler>): Promise<http.Server> {
  if (existsSync(socketPath)) unlinkSync(socketPath);
  const server = http.createServer(async (req, res) => {
    const handler = routes[`${req.method} ${req.url}`];
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (!handler) {
      res.writeHead(404).end(JSON.stringify({ error: `no such request ${req.method} ${req.url}` }));
      return;
    }
    try {
      const result = await handler(raw ? JSON.parse(raw) : {});
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? {}));
    } catch (err) {
      res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}

export class ControlError extends Error {}

export function callControl<T = any>(socketPath: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      let raw = '';
      res.on('data', (d) => (raw += d));
      res.on('end', () => {
        let parsed: any = {};
        try {
          parsed = raw ? JSON.parse(raw) : {};
        } catch {
          parsed = { error: raw };
        }
        if (res.statusCode === 200) resolve(parsed as T);
        else reject(new ControlError(parsed.error ?? `supervisor answered ${res.statusCode}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the supervisor did not answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
