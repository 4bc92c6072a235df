import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceTarget, labelPatch, podsByOrdinal, roleLabels, type PodView } from '../../src/platform/kube/pods.js';

const DNS = 'demo-1.demo-headless.db.svc.cluster.local';
const initDone = [{ name: 'init-config', state: { terminated: { exitCode: 0 } } }, { name: 'clone', state: { terminated: { exitCode: 0 } } }];
const pod = (status: PodView['status']): PodView => ({ metadata: { name: 'demo-1' }, status });

test('instanceTarget', async (t) => {
  const cases: Array<{ name: string; pod?: PodView; claim?: boolean; want: Record<string, unknown> }> = [
    { name: 'no pod: not running, provisioning, reached by DNS', want: { endpoint: { host: DNS, port: 3306 }, processRunning: false, provisioning: true, hasData: false } },
    { name: 'no pod, its claim kept: it has data', claim: true, want: { provisioning: true, hasData: true } },
    { name: 'in init (a kept volume passes at once): may have data', pod: pod({ podIP: '10.244.0.7', initContainerStatuses: [initDone[0], { name: 'clone' }] }), want: { endpoint: { host: '10.244.0.7', port: 3306 }, processRunning: false, provisioning: true, hasData: true } },
    { name: 'init failed and retrying: it had no data', pod: pod({ podIP: '10.244.0.7', initContainerStatuses: [initDone[0], { name: 'clone', state: { terminated: { exitCode: 1 } } }] }), want: { processRunning: false, provisioning: true, hasData: false } },
    { name: 'init failed before, running again: no data', pod: pod({ podIP: '10.244.0.7', initContainerStatuses: [initDone[0], { name: 'clone', restartCount: 2 }] }), want: { provisioning: true, hasData: false } },
    { name: 'no IP yet', pod: pod({ initContainerStatuses: initDone }), want: { endpoint: { host: DNS, port: 3306 }, provisioning: true } },
    { name: 'server running', pod: pod({ podIP: '10.244.0.7', initContainerStatuses: initDone, containerStatuses: [{ name: 'mysql', state: { running: {} } }] }), want: { endpoint: { host: '10.244.0.7', port: 3306 }, processRunning: true, provisioning: undefined } },
    { name: 'server crashed (waiting to restart)', pod: pod({ podIP: '10.244.0.7', initContainerStatuses: initDone, containerStatuses: [{ name: 'mysql', state: {} }] }), want: { processRunning: false, provisioning: undefined } },
    { name: 'no container status yet: unknown', pod: pod({ podIP: '10.244.0.7', initContainerStatuses: initDone }), want: { processRunning: undefined } },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = instanceTarget('demo', 'db', 1, c.pod, c.claim) as unknown as Record<string, unknown>;
      assert.deepEqual(got.peer, { host: DNS, port: 3306 });
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k], v, k);
    });
  }
});

test('roleLabels and labelPatch', () => {
  const routes = { readWrite: 0, readOnly: [1] };
  assert.deepEqual(roleLabels(0, routes), { 'ordinal.dev/role': 'primary', 'ordinal.dev/healthy': 'true' });
  assert.deepEqual(roleLabels(1, routes), { 'ordinal.dev/role': 'replica', 'ordinal.dev/healthy': 'true' });
  assert.deepEqual(roleLabels(2, routes), { 'ordinal.dev/role': 'none', 'ordinal.dev/healthy': 'false' });
  // During a failover nobody is primary: the read-write Service has no endpoint.
  assert.deepEqual(roleLabels(0, { readWrite: null, readOnly: [] }), { 'ordinal.dev/role': 'none', 'ordinal.dev/healthy': 'false' });
  // No healthy replica: reads go to the primary, which stays the primary.
  assert.deepEqual(roleLabels(0, { readWrite: 0, readOnly: [0] })['ordinal.dev/role'], 'primary');
  const want = roleLabels(1, routes);
  assert.equal(labelPatch({ ...want, app: 'x' }, want), undefined);
  assert.deepEqual(labelPatch({ 'ordinal.dev/role': 'primary' }, want), want);
  assert.deepEqual(labelPatch(undefined, want), want);
});

test("podsByOrdinal: the cluster's own pods named NAME-N, by ordinal", () => {
  const named = (name: string, cluster = 'demo'): PodView => ({ metadata: { name, labels: { 'ordinal.dev/cluster': cluster } } });
  const pods = [named('demo-2'), named('demo-0'), named('demo-backup'), named('demo-01'), named('demo-1', 'other'), named('demo-x-1'), { metadata: { name: 'demo-3' } }];
  assert.deepEqual([...podsByOrdinal('demo', pods).entries()].map(([o, p]) => [o, p.metadata?.name]), [[2, 'demo-2'], [0, 'demo-0']]);
});
