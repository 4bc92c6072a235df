// Debian's prometheus scrapes the test cluster: the operators' /metrics, and every pod's
// mysqld-exporter on its pod address (Debian builds prometheus without Kubernetes service
// discovery; a cluster's Prometheus finds them by the PodMonitor-style port name 'metrics'). Every alert rule evaluates, and every series the rules and the dashboards read is
// there for a running cluster: Ordinal's per-cluster and per-instance series and mysqld-exporter's.
// (Backup and archive series: test/integration/prometheus.test.ts; Galera's: none here.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { coverage, Prometheus } from '../integration/prometheus-server.js';
import { kubectlJson, useCluster, useOperators, waitFor } from './harness.js';

const { operators } = useOperators();
const c = useCluster('mon', 'e2e-prometheus');
const prometheus = new Prometheus();

after(() => prometheus.stop());

test('the operators and every pod\'s exporter are scraped; every rule evaluates; the rules\' and panels\' series are there', async () => {
  const applied = await c.apply({ replicas: 2, storage: { size: '1Gi', storageClassName: 'standard' } });
  assert.equal(applied.code, 0, applied.stderr);
  await c.healthy(2);
  const ports = await Promise.all(['op-a', 'op-b'].map((id) => waitFor(`${id}'s metrics port`, async () => operators().metricsPort(id), 60_000)));
  await prometheus.start([
    { job_name: 'ordinal-operator', static_configs: [{ targets: ports.map((p) => `127.0.0.1:${p}`) }] },
    { job_name: 'mysqld-exporter', static_configs: await exporterTargets() },
  ]);
  await waitFor('both operators and both exporters up', async () => ((await prometheus.query('up == 1')).length === 4 ? true : undefined), 120_000);
  const rules = await prometheus.rulesEvaluated();
  for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
  const result = await coverage(prometheus, {
    namespace: c.namespace,
    cluster: c.name,
    // No backups here, not Galera, and certification conflicts are Galera's.
    expected: (n) => !/^ordinal_(backup|archive|galera)_/.test(n) && !n.includes('wsrep'),
  });
  assert.deepEqual(result.missing, [], 'every series the rules and panels read is there');
  assert.deepEqual(result.empty, [], 'every panel over those series returns series');
  const leader = await prometheus.query(`ordinal_leader == 1`);
  assert.equal(leader.length, 1, 'exactly one operator says it leads');
});

/** Each pod's port named metrics, with its namespace and pod as labels. */
async function exporterTargets(): Promise<Array<{ targets: string[]; labels: Record<string, string> }>> {
  const pods = await kubectlJson<{ items: Array<{ metadata: { name: string; namespace: string }; status: { podIP?: string }; spec: { containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> } }> }>(
    ['-n', c.namespace, 'get', 'pods', '-l', `ordinal.dev/cluster=${c.name}`],
  );
  return pods.items.flatMap((p) => p.spec.containers.flatMap((k) => k.ports ?? []).filter((port) => port.name === 'metrics' && p.status.podIP)
    .map((port) => ({ targets: [`${p.status.podIP}:${port.containerPort}`], labels: { namespace: p.metadata.namespace, pod: p.metadata.name } })));
}
