// Debian's prometheus scrapes the test cluster as a person would set it up: the operators'
// /metrics, and every pod's mysqld-exporter found through Kubernetes service discovery with a
// kubeconfig. Every alert rule evaluates, and every series the rules and the dashboards read is
// there for a running cluster: Ordinal's per-cluster and per-instance series and mysqld-exporter's.
// (Backup and archive series: test/integration/prometheus.test.ts; Galera's: none here.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { coverage, Prometheus, until } from '../integration/prometheus-server.js';
import { ADMIN_KUBECONFIG, useCluster, useOperators } from './harness.js';

const { operators } = useOperators();
const c = useCluster('mon', 'e2e-prometheus');
const prometheus = new Prometheus();

before(async () => {
  assert.equal((await c.apply({ replicas: 2, storage: { size: '1Gi', storageClassName: 'standard' } })).code, 0);
  await c.healthy(2);
  const ports = await Promise.all(['op-a', 'op-b'].map((id) => until(`${id}'s metrics port`, async () => operators().metricsPort(id), 60_000)));
  await prometheus.start([
    { job_name: 'ordinal-operator', static_configs: [{ targets: ports.map((p) => `127.0.0.1:${p}`) }] },
    {
      job_name: 'mysqld-exporter',
      kubernetes_sd_configs: [{ role: 'pod', kubeconfig_file: ADMIN_KUBECONFIG, namespaces: { names: [c.namespace] } }],
      relabel_configs: [
        { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      ],
    },
  ]);
});
after(() => prometheus.stop());

test('the operators and every pod\'s exporter are scraped; every rule evaluates; the rules\' and panels\' series are there', async () => {
  await until('both operators and both exporters up', async () => ((await prometheus.query('up == 1')).length === 4 ? true : undefined), 120_000);
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
