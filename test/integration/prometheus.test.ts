// A real Prometheus (Debian's) scrapes a sandbox cluster's supervisor, found through the
// file_sd target file the supervisor writes, and evaluates the alert rules of deploy/prometheus
// and the dashboards' queries: every rule evaluates without error, every series the rules and
// panels read is there (backups and the archive included), and killing the primary makes
// OrdinalFailover fire.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, useCluster } from './harness.js';
import { coverage, Prometheus } from './prometheus-server.js';
import { waitFor } from '../wait.js';

const sb = new Sandbox('prom', 16200);
// A backup schedule and an archive, so the backup and archive series (and their rules) have data.
const store = join(sb.home, 'backups');
Object.assign(sb.extraSpec, {
  backupSchedule: { schedule: '0 0 1 1 *', location: `file://${store}`, method: 'logical', keep: 2 },
  pitr: { storage: { local: { path: store } }, archiveIntervalSeconds: 1 },
});
useCluster(sb, 2, async () => {
  const r = await sb.cli(['local', 'backup', sb.name]);
  if (r.code !== 0) throw new Error(`the first backup failed: ${r.stderr}`);
});
const prometheus = new Prometheus();
const query = (q: string) => prometheus.query(q);
const api = <T = any>(path: string) => prometheus.api<T>(path);

before(() => prometheus.start([{ job_name: 'ordinal-sandbox', file_sd_configs: [{ files: [join(sb.home, 'prometheus', '*.json')], refresh_interval: '1s' }] }]));
after(() => prometheus.stop());

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
  await waitFor('the sandbox target up', async () => ((await query('up{job="ordinal-sandbox"} == 1')).length === 1 ? true : undefined), 120_000);
  // Every rule evaluated at least once, without error.
  const rules = await prometheus.rulesEvaluated();
  for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  assert.equal(rules.length, 8);

  // Galera's series (a primary-replica cluster has none) and mysqld-exporter's (pods on
  // Kubernetes: test/e2e/prometheus.test.ts) are the only ones not here.
  const c = await coverage(prometheus, { namespace: 'sandbox', cluster: 'prom', expected: (n) => !n.startsWith('ordinal_galera_') && !n.startsWith('mysql_') });
  assert.deepEqual(c.missing, [], 'every series the rules and panels read is there');
  assert.deepEqual(c.empty, [], 'every panel over those series returns series');
});

test('the primary killed: OrdinalFailover fires in Prometheus', async () => {
  const s = await sb.status();
  const primary = s.instances.find((i) => i.ordinal === s.primary)!;
  process.kill(primary.pid!, 'SIGKILL');
  const alert = await waitFor('OrdinalFailover firing', async () => {
    const alerts = (await api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('/api/v1/alerts')).alerts;
    return alerts.find((a) => a.labels.alertname === 'OrdinalFailover' && a.state === 'firing');
  }, 180_000);
  assert.deepEqual([alert.labels.namespace, alert.labels.cluster, alert.labels.severity], ['sandbox', 'prom', 'warning']);
});
