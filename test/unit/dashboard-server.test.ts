// The dashboard server over a fake source (FakeSource stands in for the sandbox or Kubernetes):
// who may use it, how requests are checked, and what the event stream pushes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { DashboardServer } from '../../src/dashboard/server.js';
import { Refused, type DashboardSource, type Started } from '../../src/dashboard/source.js';
import type { DashboardCluster } from '../../src/dashboard/model.js';

class FakeSource implements DashboardSource {
  readonly where = 'fake';
  primary = 0;
  asked: string[] = [];
  finish?: (m: string) => void;
  async clusters(): Promise<DashboardCluster[]> {
    return [{ view: { name: 'demo', namespace: 'fake', status: { primary: this.primary } }, endpoints: [], events: [], backups: {} }];
  }
  async backups() {
    return [];
  }
  async switchover(name: string, to: number): Promise<Started> {
    if (to === 9) throw new Refused('switchover refused: instance 9 does not exist');
    this.asked.push(`switchover ${name} ${to}`);
    return { message: `switching over to ${to}`, done: new Promise((ok) => (this.finish = ok)) };
  }
  async rebuild(name: string, ordinal: number): Promise<Started> {
    this.asked.push(`rebuild ${name} ${ordinal}`);
    return { message: 'rebuilding', done: Promise.reject(new Error('the copy failed')) };
  }
  async backup(): Promise<Started> {
    throw new Refused('backup refused: no schedule');
  }
  async restore(name: string, r: { as: string }): Promise<Started> {
    this.asked.push(`restore ${name} as ${r.as}`);
    return { message: 'restoring', done: Promise.resolve('restored') };
  }
}

const source = new FakeSource();
const server = new DashboardServer(source, false, 50);
const url = new URL(await server.start());
after(() => server.stop());

interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

function request(method: string, path: string, o: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: url.port, method, path, headers: { ...(o.cookie ? { cookie: o.cookie } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers } }, (res) => {
      let raw = '';
      res.on('data', (d) => (raw += d));
      res.on('end', () => {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          /* text */
        }
        resolve({ status: res.statusCode!, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}

let cookie = '';

test('the one-time token becomes a session cookie once', async () => {
  assert.equal((await request('GET', '/api/clusters')).status, 403, 'nothing without a session');
  assert.equal((await request('GET', '/?token=wrong')).status, 403);
  const first = await request('GET', `/${url.search}`);
  assert.equal(first.status, 303);
  const set = String(first.headers['set-cookie']);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  cookie = set.split(';')[0];
  assert.equal((await request('GET', `/${url.search}`)).status, 403, 'the token works once');
  const ok = await request('GET', '/api/clusters', { cookie });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.clusters[0].view.name, 'demo');
});

test('requests are checked: Host, origin, content type, fields', async () => {
  const cases: Array<{ name: string; path: string; body?: unknown; headers?: Record<string, string>; status: number; error: RegExp }> = [
    { name: 'another Host (DNS rebinding)', path: '/api/clusters/demo/switchover', body: { to: 1 }, headers: { host: `attacker.example:${url.port}` }, status: 403, error: /Host/ },
    { name: 'another origin', path: '/api/clusters/demo/switchover', body: { to: 1 }, headers: { origin: 'http://attacker.example' }, status: 403, error: /origin/ },
    { name: 'a form post', path: '/api/clusters/demo/switchover', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 403, error: /application\/json/ },
    { name: 'to missing', path: '/api/clusters/demo/switchover', body: {}, status: 400, error: /^to: / },
    { name: 'to not an ordinal', path: '/api/clusters/demo/switchover', body: { to: -1 }, status: 400, error: /^to: / },
    { name: 'ordinal a string', path: '/api/clusters/demo/rebuild', body: { ordinal: '1' }, status: 400, error: /^ordinal: / },
    { name: 'restore without a name', path: '/api/clusters/demo/restore', body: {}, status: 400, error: /^as: is required/ },
    { name: 'the source refuses, with its reason', path: '/api/clusters/demo/switchover', body: { to: 9 }, status: 409, error: /instance 9 does not exist/ },
    { name: 'no such action', path: '/api/clusters/demo/delete', body: {}, status: 404, error: /no such request/ },
  ];
  for (const c of cases) {
    const r = await request('POST', c.path, { cookie, body: c.body, headers: c.headers });
    assert.equal(r.status, c.status, c.name);
    assert.match(r.body.error, c.error, c.name);
  }
  assert.deepEqual(source.asked, [], 'nothing reached the source');
});

test('an accepted action is recorded, and its end is pushed to the page', async () => {
  const events = await openStream(cookie);
  const accepted = await request('POST', '/api/clusters/demo/switchover', { cookie, body: { to: 2 }, headers: { origin: url.origin } });
  assert.equal(accepted.status, 202);
  assert.equal(accepted.body.state, 'running');
  source.primary = 2;
  source.finish!('instance 2 is the primary');
  const s = await events.until((x) => x.actions.some((a: any) => a.state === 'done' && a.message === 'instance 2 is the primary') && x.clusters[0].view.status.primary === 2);
  assert.equal(s.actions.length, 1);
  const failed = await request('POST', '/api/clusters/demo/rebuild', { cookie, body: { ordinal: 1 } });
  assert.equal(failed.status, 202);
  await events.until((x) => x.actions.some((a: any) => a.action === 'rebuild' && a.state === 'failed' && a.message === 'the copy failed'));
  events.close();
});

test('read-only: every action refused', async () => {
  const ro = new DashboardServer(new FakeSource(), true);
  const u = new URL(await ro.start());
  const login = await fetch(u, { redirect: 'manual' });
  const c = String(login.headers.get('set-cookie')).split(';')[0];
  const r = await fetch(`${u.origin}/api/clusters/demo/switchover`, { method: 'POST', headers: { cookie: c, 'content-type': 'application/json' }, body: '{"to":1}' });
  assert.equal(r.status, 403);
  assert.match((await r.json()).error, /read-only/);
  await ro.stop();
});

/** Reads the server-sent events; `until` waits (with a generous deadline) for a matching snapshot. */
async function openStream(cookie: string) {
  const res = await new Promise<http.IncomingMessage>((ok, fail) => http.get({ host: '127.0.0.1', port: url.port, path: '/api/stream', headers: { cookie } }, ok).on('error', fail));
  assert.equal(res.headers['content-type'], 'text/event-stream');
  let buffer = '';
  const snapshots: any[] = [];
  const waiters = new Set<() => void>();
  res.on('data', (d) => {
    buffer += d;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = /^data: (.*)$/m.exec(block);
      if (/^event: snapshot$/m.test(block) && data) snapshots.push(JSON.parse(data[1]));
    }
    for (const w of waiters) w();
  });
  return {
    until: (ok: (s: any) => boolean) =>
      new Promise<any>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such snapshot in 30 s; last: ${JSON.stringify(snapshots.at(-1))}`)), 30_000);
        const check = () => {
          const s = snapshots.find(ok);
          if (s) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(s);
          }
        };
        waiters.add(check);
        check();
      }),
    close: () => res.destroy(),
  };
}
