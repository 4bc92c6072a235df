// The dashboard's web server: on 127.0.0.1 only, on a port the system picks, behind the
// one-time URL (access.ts). It serves the page bundled at build time (no asset from elsewhere),
// the clusters as JSON, a server-sent event stream that pushes every change, and the actions.
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Access, COOKIE } from './access.js';
import type { ActionRecord, Snapshot } from './model.js';
import { Refused, type DashboardSource, type Started } from './source.js';

const ASSETS: Record<string, string> = {
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.css': 'text/css; charset=utf-8',
};

/** The built page: web/ beside the packed plugin's script, else dist/web of this checkout (from src or dist). */
export function webDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  if (existsSync(join(dir, 'web', 'app.js'))) return join(dir, 'web');
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('the dashboard page is not built: run npm run build');
    dir = up;
  }
  return join(dir, 'dist', 'web');
}

export class DashboardServer {
  private readonly access = new Access();
  private readonly server: http.Server;
  private readonly streams = new Set<http.ServerResponse>();
  private readonly actions: ActionRecord[] = [];
  private last = '';
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(private readonly source: DashboardSource, private readonly readOnly = false, private readonly pollMs = 1000) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => send(res, 500, { error: err.message }));
    });
  }

  /** Listens on 127.0.0.1 and returns the one-time URL. */
  async start(port = 0): Promise<string> {
    if (!existsSync(join(webDir(), 'app.js'))) throw new Error(`the dashboard page is not built (no ${join(webDir(), 'app.js')}): run npm run build`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.timer = setInterval(() => void this.push(), this.pollMs);
    return this.access.url((this.server.address() as { port: number }).port);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.streams) s.end();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      const session = this.access.redeem(url.searchParams.get('token'));
      if (!session) return send(res, 403, 'This link was used already or is wrong. Start the dashboard command again for a new one.');
      res.writeHead(303, { location: '/', 'set-cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' }).end();
      return;
    }
    const changes = req.method === 'POST';
    const refusal = this.access.refusal(req, changes);
    if (refusal) return send(res, 403, { error: refusal });

    if (req.method === 'GET') {
      if (url.pathname === '/') return sendFile(res, join(webDir(), 'index.html'), 'text/html; charset=utf-8');
      if (ASSETS[url.pathname]) return sendFile(res, join(webDir(), url.pathname.slice(1)), ASSETS[url.pathname]);
      if (url.pathname === '/api/clusters') return send(res, 200, await this.snapshot());
      if (url.pathname === '/api/stream') return this.stream(res);
      const backups = /^\/api\/clusters\/([a-z0-9-]+)\/backups$/.exec(url.pathname);
      if (backups) return send(res, 200, await this.source.backups(backups[1]));
      return send(res, 404, { error: `no such page ${url.pathname}` });
    }
    const action = /^\/api\/clusters\/([a-z0-9-]+)\/(switchover|rebuild|backup|restore)$/.exec(url.pathname);
    if (!changes || !action) return send(res, 404, { error: `no such request ${req.method} ${url.pathname}` });
    if (this.readOnly) return send(res, 403, { error: 'this dashboard is read-only' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return send(res, 400, { error: 'the request body is not JSON' });
    }
    const [, name, kind] = action;
    let started: Started;
    try {
      started = await this.act(name, kind, body);
    } catch (err) {
      if (err instanceof Refused || err instanceof BadRequest) return send(res, err instanceof Refused ? 409 : 400, { error: err.message });
      throw err;
    }
    const record: ActionRecord = { id: this.actions.length + 1, time: new Date().toISOString(), cluster: name, action: kind, state: 'running', message: started.message };
    this.actions.push(record);
    started.done.then(
      (message) => Object.assign(record, { state: 'done', message }),
      (err: Error) => Object.assign(record, { state: 'failed', message: err.message }),
    ).finally(() => void this.push());
    void this.push();
    send(res, 202, record);
  }

  private act(name: string, kind: string, body: Record<string, unknown>): Promise<Started> {
    switch (kind) {
      case 'switchover':
        return this.source.switchover(name, ordinalField(body, 'to'));
      case 'rebuild':
        return this.source.rebuild(name, ordinalField(body, 'ordinal'));
      case 'backup':
        return this.source.backup(name);
      default:
        return this.source.restore(name, {
          as: stringField(body, 'as', true)!,
          backup: stringField(body, 'backup', false),
          pointInTime: stringField(body, 'pointInTime', false),
        });
    }
  }

  private async snapshot(): Promise<Snapshot> {
    try {
      return { where: this.source.where, clusters: await this.source.clusters(), actions: this.actions.slice(-50) };
    } catch (err) {
      return { where: this.source.where, clusters: [], actions: this.actions.slice(-50), error: (err as Error).message };
    }
  }

  private stream(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 1000\n\n`);
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    this.last = ''; // the new page gets the current state at once
    void this.push();
  }

  /** Sends the state to every open page when it changed (or a comment, to keep the stream open). */
  private async push(): Promise<void> {
    if (!this.streams.size || this.polling) return;
    this.polling = true;
    try {
      const text = JSON.stringify(await this.snapshot());
      const message = text === this.last ? ': unchanged\n\n' : `event: snapshot\ndata: ${text}\n\n`;
      this.last = text;
      for (const s of this.streams) s.write(message);
    } finally {
      this.polling = false;
    }
  }
}

class BadRequest extends Error {}

function ordinalField(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new BadRequest(`${field}: must be an instance's ordinal (0, 1, 2, ...)`);
  return v;
}

function stringField(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const v = body[field];
  if (v === undefined || v === '' || v === null) {
    if (required) throw new BadRequest(`${field}: is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new BadRequest(`${field}: must be a string`);
  return v;
}

function send(res: http.ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store' }).end(text);
}

function sendFile(res: http.ServerResponse, file: string, type: string): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'" }).end(readFileSync(file));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 64 * 1024) throw new Error('the request body is too large');
  }
  return raw || '{}';
}
