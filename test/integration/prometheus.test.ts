// A real Prometheus (Debian's) scrapes a sandbox cluster's supervisor, found through the
// file_sd target file the supervisor writes, and evaluates the alert rules of deploy/prometheus
// and the dashboards' queries: every rule evaluates without error, every series the rules and
// the per-cluster panels read is there, and killing the primary makes OrdinalFailover fire.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { DASHBOARDS } from '../../src/builders/dashboards.js';
import { Sandbox, sleep, useCluster } from './harness.js';

const sb = useCluster(new Sandbox('prom', 16200), 2);
const RULES = resolve(import.meta.dirname, '../../deploy/prometheus/rules.yaml');
let prometheus: ChildProcess | undefined;
let url = '';
const dir = mkdtempSync(join(tmpdir(), 'ordinal-prometheus-'));

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => r(port));
    });
  });
}

async function api<T = any>(path: string): Promise<T> {
  const res = await fetch(`${url}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}

const query = (q: string) => api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(q)}`).then((d) => d.result);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ''}`);
    await sleep(500);
  }
}

before(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [RULES],
    scrape_configs: [{ job_name: 'ordinal-sandbox', file_sd_configs: [{ files: [join(sb.home, 'prometheus', '*.json')], refresh_interval: '1s' }] }],
  }));
  prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prometheus.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  prometheus.on('error', (err) => (log += `\n${err.message}: Debian's prometheus package is needed (scripts/setup.sh installs it)`));
  await until('Prometheus to answer', async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 60_000).catch((err) => {
    throw new Error(`${err.message}\n${log}`);
  });
});

after(() => {
  prometheus?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('the supervisor serves /metrics and names its address in a file_sd target file', async () => {
  const s = await sb.status();
  assert.match(s.supervisor.metrics ?? '', /^127\.0\.0\.1:\d+$/);
  const file = join(sb.home, 'prometheus', 'prom.json');
  assert.ok(existsSync(file));
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), [{ targets: [s.supervisor.metrics] }]);
  const text = await (await fetch(`http://${s.supervisor.metrics}/metrics`)).text();
  assert.match(text, /ordinal_cluster_has_primary\{namespace="sandbox",cluster="prom"\} 1/);
});

test('Prometheus scrapes it; every alert rule evaluates; the series of the rules and panels are there', async () => {
  await until('the sandbox target up', async () => ((await query('up{job="ordinal-sandbox"} == 1')).length === 1 ? true : undefined));
  // Every rule evaluated at least once, without error.
  const rules = await until('every rule evaluated', async () => {
    const groups = (await api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }> }>('/api/v1/rules')).groups;
    const all = groups.flatMap((g) => g.rules);
    return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : undefined;
  });
  for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  assert.equal(rules.length, 8);

  // The cluster and instance series, for this cluster, as Prometheus stored them.
  const present = new Set<string>();
  for (const name of ['ordinal_cluster_info', 'ordinal_cluster_phase', 'ordinal_cluster_replicas', 'ordinal_cluster_ready_instances', 'ordinal_cluster_has_primary',
    'ordinal_cluster_primary_ordinal', 'ordinal_cluster_failovers_total', 'ordinal_cluster_switchovers_total', 'ordinal_instance_ready', 'ordinal_instance_role',
    'ordinal_instance_lag_seconds', 'ordinal_instance_errant']) {
    const got = await query(`${name}{namespace="sandbox",cluster="prom"}`);
    assert.ok(got.length > 0, `${name} has no series`);
    present.add(name);
  }
  // Each panel of the cluster dashboards evaluates; those reading only these series return data.
  for (const d of DASHBOARDS.filter((x) => x.uid === 'ordinal-overview' || x.uid === 'ordinal-cluster')) {
    for (const p of d.panels) {
      const expr = p.expr.replaceAll('$namespace', 'sandbox').replaceAll('$cluster', 'prom');
      const result = await query(expr);
      const reads = p.expr.match(/\b(ordinal|mysql)_[a-z_]+\b/g) ?? [];
      if (reads.every((m) => present.has(m)) && !/increase|rate/.test(p.expr)) assert.ok(result.length > 0, `${d.uid} "${p.title}" returned nothing: ${expr}`);
    }
  }
});

test('the primary killed: OrdinalFailover fires in Prometheus', async () => {
  const s = await sb.status();
  const primary = s.instances.find((i) => i.ordinal === s.primary)!;
  process.kill(primary.pid!, 'SIGKILL');
  const alert = await until('OrdinalFailover firing', async () => {
    const alerts = (await api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('/api/v1/alerts')).alerts;
    return alerts.find((a) => a.labels.alertname === 'OrdinalFailover' && a.state === 'firing');
  }, 180_000);
  assert.deepEqual([alert.labels.namespace, alert.labels.cluster, alert.labels.severity], ['sandbox', 'prom', 'warning']);
});
