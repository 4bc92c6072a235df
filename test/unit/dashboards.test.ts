// The Grafana dashboards (deploy/grafana, from src/builders/dashboards.ts): every panel's query
// is valid PromQL as Prometheus itself parses it (promtool, each query as a recording rule),
// reads only series that exist (the operator's, or mysqld-exporter's), and every dashboard
// has the variables its queries use.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { DASHBOARDS, grafanaDashboard } from '../../src/builders/dashboards.js';
import { registerBackupMetrics } from '../../src/controllers/backup-metrics.js';
import { registerClusterMetrics } from '../../src/controllers/cluster-metrics.js';

const exec = promisify(execFile);
/** The variables as Grafana substitutes them. */
const concrete = (expr: string) => expr.replaceAll('$namespace', 'db').replaceAll('$cluster', 'demo');

test('every panel query parses as PromQL (promtool check rules)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-dashboards-'));
  try {
    const rules = DASHBOARDS.flatMap((d) => d.panels.map((p, i) => ({ record: `panel:${d.uid.replaceAll('-', '_')}:${i}`, expr: concrete(p.expr) })));
    writeFileSync(join(dir, 'panels.yaml'), stringify({ groups: [{ name: 'panels', rules }] }));
    const r = await exec('promtool', ['check', 'rules', 'panels.yaml'], { cwd: dir }).catch((err: NodeJS.ErrnoException & { stdout?: string; stderr?: string }) => {
      if (err.code === 'ENOENT') throw new Error('promtool is not installed: it comes with Debian\'s prometheus package (scripts/setup.sh installs it)');
      throw new Error(`${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every ordinal_ series a panel reads is one the operator exposes', async () => {
  const registry = new Registry();
  registerClusterMetrics(registry, () => []);
  registerBackupMetrics(registry, () => [], () => []);
  const exposed = new Set((await registry.getMetricsAsJSON()).flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]));
  for (const d of DASHBOARDS) {
    for (const p of d.panels) {
      for (const name of p.expr.match(/\bordinal_[a-z_]+\b/g) ?? []) assert.ok(exposed.has(name), `${d.uid} "${p.title}" reads ${name}, which nothing exposes`);
      for (const name of p.expr.match(/\bmysql_[a-z_]+\b/g) ?? []) assert.match(name, /^mysql_(global_status|global_variables|slave_status|info_schema)_/, `${d.uid} "${p.title}": ${name} is not a mysqld-exporter series`);
    }
  }
});

test('each dashboard defines the variables its queries use, and unique panel ids', () => {
  for (const d of DASHBOARDS) {
    const model = grafanaDashboard(d) as { templating: { list: Array<{ name: string }> }; panels: Array<{ id: number }> };
    const defined = new Set(model.templating.list.map((v) => v.name));
    for (const p of d.panels) for (const v of p.expr.match(/\$[a-z]+/g) ?? []) assert.ok(defined.has(v.slice(1)), `${d.uid} "${p.title}" uses ${v}`);
    assert.equal(new Set(model.panels.map((p) => p.id)).size, model.panels.length, d.uid);
  }
  assert.deepEqual(DASHBOARDS.map((d) => d.uid), ['ordinal-overview', 'ordinal-cluster', 'ordinal-backups', 'ordinal-galera']);
});
