// Per-cluster and per-instance series from the MySQLClusters' status, as Prometheus scrapes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { clusterSeries, operationEnded, registerClusterMetrics } from '../../src/controllers/cluster-metrics.js';
import type { KubeObject } from '../../src/kube/types.js';
import { archiveRows, backupRows, metricsSource } from '../../src/platform/local/metrics.js';

const NOW = 1_000_000;
const demo = {
  metadata: { name: 'demo', namespace: 'db' },
  spec: { replicas: 3 },
  status: {
    phase: 'FailingOver', primary: null, failovers: 2, switchovers: 1,
    instances: [
      { ordinal: 0, role: 'unknown', ready: false, errant: false, lagSeconds: null },
      { ordinal: 1, role: 'replica', ready: true, errant: false, lagSeconds: 4 },
      { ordinal: 2, role: 'replica', ready: false, errant: true, lagSeconds: 0 },
    ],
    ha: { operation: { kind: 'failover', startedAt: NOW - 2500 } },
  },
};
const gal = {
  metadata: { name: 'gal', namespace: 'db' },
  spec: { replicas: 3, mode: 'galera' },
  status: {
    phase: 'Running', primary: 2, failovers: 0, switchovers: 0, instances: [],
    galera: { clusterSize: 3, nodes: [{ ordinal: 0, clusterStatus: 'Primary', localState: 4, seqno: 10, flowControlPaused: 0.5, recvQueue: 1 }, { ordinal: 1, clusterStatus: 'non-Primary', localState: 0, seqno: null, flowControlPaused: null, recvQueue: null }] },
  },
};

test('clusterSeries: one series per fact, labelled by namespace, cluster and ordinal', () => {
  const s = clusterSeries([demo, gal, { metadata: { name: 'fresh', namespace: 'db' } }], NOW);
  const v = (k: keyof typeof s, cluster = 'demo'): Array<Record<string, string | number>> => s[k].filter((x) => x.labels.cluster === cluster).map((x) => ({ ...x.labels, value: x.value }));
  assert.deepEqual(v('hasPrimary'), [{ namespace: 'db', cluster: 'demo', value: 0 }]);
  assert.deepEqual(v('primary'), [], 'no primary: no series, not -1');
  assert.deepEqual(v('primary', 'gal'), [{ namespace: 'db', cluster: 'gal', value: 2 }]);
  assert.deepEqual(v('phase'), [{ namespace: 'db', cluster: 'demo', phase: 'FailingOver', value: 1 }]);
  assert.deepEqual(v('operationSeconds'), [{ namespace: 'db', cluster: 'demo', kind: 'failover', value: 2.5 }]);
  assert.deepEqual(v('readyInstances'), [{ namespace: 'db', cluster: 'demo', value: 1 }]);
  assert.deepEqual(v('instanceErrant').map((x) => [x.ordinal, x.value]), [['0', 0], ['1', 0], ['2', 1]]);
  assert.deepEqual(v('instanceLag').map((x) => [x.ordinal, x.value]), [['1', 4], ['2', 0]], 'an unknown lag is no series');
  assert.deepEqual(v('instanceRole').map((x) => [x.ordinal, x.role]), [['0', 'unknown'], ['1', 'replica'], ['2', 'replica']]);
  assert.deepEqual(v('galeraPrimary', 'gal').map((x) => [x.ordinal, x.value]), [['0', 1], ['1', 0]]);
  assert.deepEqual(v('galeraSynced', 'gal').map((x) => [x.ordinal, x.value]), [['0', 1], ['1', 0]]);
  assert.deepEqual(v('galeraSeqno', 'gal').map((x) => [x.ordinal, x.value]), [['0', 10]]);
  assert.deepEqual(v('info', 'gal'), [{ namespace: 'db', cluster: 'gal', mode: 'galera', value: 1 }]);
  assert.equal(s.info.length, 2, 'a cluster without a status has no series yet');
});

test('the registry exposes them under Prometheus names and types', async () => {
  const registry = new Registry();
  registerClusterMetrics(registry, () => [demo, gal] as KubeObject[]);
  operationEnded('db', 'demo', 'failover', 3.2);
  const text = await registry.metrics();
  assert.match(text, /# TYPE ordinal_cluster_failovers_total counter\nordinal_cluster_failovers_total\{namespace="db",cluster="demo"\} 2\n/);
  assert.match(text, /ordinal_cluster_has_primary\{namespace="db",cluster="demo"\} 0\n/);
  assert.match(text, /ordinal_instance_errant\{namespace="db",cluster="demo",ordinal="2"\} 1\n/);
  assert.match(text, /ordinal_galera_node_primary\{namespace="db",cluster="gal",ordinal="1"\} 0\n/);
  assert.match(text, /ordinal_operation_duration_seconds_bucket\{le="5",namespace="db",cluster="demo",kind="failover"\} 1\n/);
  // Every series the alert rules read is exposed.
  for (const name of ['ordinal_cluster_has_primary', 'ordinal_cluster_phase', 'ordinal_instance_lag_seconds', 'ordinal_instance_errant', 'ordinal_galera_node_primary']) {
    assert.match(text, new RegExp(`^${name}\\{`, 'm'), name);
  }
});

test('the sandbox status reads as a MySQLCluster: namespace sandbox, Galera writer/node as primary/replica', () => {
  const node = (ordinal: number, role: 'writer' | 'node', ready: boolean, state: string) => ({
    ordinal, role, ready, pid: 1, port: 1, readOnly: false, errant: false, reachable: ready, lagSeconds: null,
    galera: { state, clusterStatus: ready ? 'Primary' : null, localState: ready ? 4 : null, seqno: ready ? 9 : null, clusterSize: 2, flowControlPaused: 0, recvQueue: 0 },
  });
  const status = {
    name: 'gal', mode: 'galera' as const, phase: 'Degraded', primary: 1, failovers: 0, switchovers: 1, recoveries: 0,
    endpoints: { readWrite: '', readOnly: '' }, credentials: { user: '', database: '', passwordFile: '' }, routes: { readWrite: 1, readOnly: [0] }, events: [],
    supervisor: { pid: 1, running: true },
    instances: [node(0, 'node', true, 'Synced'), node(1, 'writer', true, 'Synced'), node(2, 'node', false, 'Stopped')],
    galera: { writer: 1, clusterSize: 2, plan: 'join' },
  };
  const src = metricsSource(status, 3);
  assert.deepEqual(src.metadata, { name: 'gal', namespace: 'sandbox' });
  assert.deepEqual(src.status!.instances!.map((i) => i.role), ['replica', 'primary', 'unknown']);
  const s = clusterSeries([src], NOW);
  assert.deepEqual(s.galeraPrimary.map((x) => [x.labels.ordinal, x.value]), [['0', 1], ['1', 1], ['2', 0]]);
  assert.deepEqual(s.galeraSize.map((x) => x.value), [2]);
});

test('the sandbox\'s backup and archive series come from its schedule and archiver', () => {
  const base = {
    name: 'demo', phase: 'Running', primary: 0, failovers: 0, switchovers: 0, recoveries: 0, instances: [],
    endpoints: { readWrite: '', readOnly: '' }, credentials: { user: '', database: '', passwordFile: '' }, routes: { readWrite: 0, readOnly: [] }, events: [],
    supervisor: { pid: 1, running: true },
  };
  const schedule = { schedule: '0 3 * * *', location: 'file:///b', suspended: false, running: false, failedRuns: 2, unrestorableRuns: 1 };
  const cases = [
    { name: 'no schedule, no archive', status: base, backups: [], archives: [] },
    {
      name: 'a failed run after a success: the success still counts, and so do the failures',
      status: { ...base, backupSchedule: { ...schedule, lastRun: { startedAt: '2026-12-01T04:00:00.000Z', seconds: 1, ok: false, error: 'x' }, lastSuccess: { id: 'demo/a', startedAt: '2026-12-01T03:00:00.000Z', seconds: 10, bytes: 2048 } } },
      backups: [{ namespace: 'sandbox', cluster: 'demo', lastSuccess: Date.parse('2026-12-01T03:00:10.000Z') / 1000, lastDuration: 10, lastBytes: 2048, failed: 2, unrestorable: 1 }],
      archives: [],
    },
    {
      name: 'no success yet; an archive with a gap',
      status: { ...base, backupSchedule: { ...schedule, failedRuns: 0, unrestorableRuns: 0 }, pitr: { location: 'file:///b', continuous: false, segments: 3, lastRecoverableTime: '2026-12-01T05:00:00.000Z' } },
      backups: [{ namespace: 'sandbox', cluster: 'demo', failed: 0, unrestorable: 0 }],
      archives: [{ namespace: 'sandbox', cluster: 'demo', recoverable: Date.parse('2026-12-01T05:00:00.000Z') / 1000, continuous: 0 }],
    },
  ];
  for (const c of cases) {
    assert.deepEqual(backupRows(c.status), c.backups, c.name);
    assert.deepEqual(archiveRows(c.status), c.archives, c.name);
  }
});
