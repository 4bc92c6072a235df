// The Rollout phase against fake caches, a fake Applier and a fake HA loop: what it deletes,
// what it asks for, and what it reports (rollout.ts's own decisions are table-tested there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_API } from '../../src/api/cluster.js';
import { ClusterRequests } from '../../src/controllers/requests.js';
import { rolloutStep } from '../../src/controllers/rollout-step.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeHa, settle } from './fake-ha.js';
import { FakeApplier, FakeEvents, fakeCache } from './fake-kube.js';
import { quiet, validCluster } from './fixtures.js';

const ref = { ...CLUSTER_API, name: 'demo', namespace: 'db', uid: 'uid-demo' };
const NEW = 'demo-new';

/** One pod per letter: "u" on the new revision, "s" stale, "d" stale and being deleted. */
function pods(revisions: string): KubeObject[] {
  return [...revisions].map((r, o) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `demo-${o}`, namespace: 'db',
      labels: { 'ordinal.dev/cluster': 'demo', 'controller-revision-hash': r === 'u' ? NEW : 'demo-old' },
      ...(r === 'd' ? { deletionTimestamp: '2026-11-30T00:00:00Z' } : {}),
    },
  }));
}

/** `updateRevision` null: the StatefulSet controller has not written one yet. */
function world(revisions: string, updateRevision: string | null = NEW) {
  const applier = new FakeApplier().put(...pods(revisions));
  const events = new FakeEvents();
  const requests = new ClusterRequests({ applier, events, log: quiet });
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'demo', namespace: 'db' }, status: updateRevision === null ? {} : { updateRevision } };
  const deps = { applier, events, requests, pods: fakeCache(pods(revisions)), statefulSets: fakeCache([sts]) };
  return { applier, events, requests, step: (ha: FakeHa | undefined) => rolloutStep(deps, ref, validCluster(), ha) };
}

test('nothing to do: no HA loop yet, no update revision yet, or every pod updated', async () => {
  assert.equal(await world('sss').step(undefined), undefined);
  assert.equal(await world('sss', null).step(new FakeHa()), undefined);
  const w = world('uuu');
  assert.equal(await w.step(new FakeHa()), undefined);
  assert.deepEqual(w.applier.writes, []);
});

test('a stale replica is restarted by deleting its pod, the highest ordinal first', async () => {
  const w = world('sss');
  assert.equal(await w.step(new FakeHa()), 'rolling update: restarting instance 2');
  assert.deepEqual(w.applier.writes, ['delete Pod/demo-2']);
  assert.deepEqual(w.events.seen, [`Normal RollingRestart: restarting instance 2 with the new revision ${NEW}`]);
});

test('while a restarted pod is going away the rollout waits and deletes nothing', async () => {
  const w = world('sud');
  assert.equal(await w.step(new FakeHa()), 'rolling update: instance(s) 2 restarting');
  assert.deepEqual(w.applier.writes, []);
});

test('the primary last: a switchover to an updated replica, asked for once while it runs', async () => {
  const w = world('suu');
  const ha = new FakeHa();
  assert.equal(await w.step(ha), 'rolling update: switching over to 1 before restarting primary 0');
  assert.deepEqual(ha.asked, ['switchover 1']);
  assert.equal(await w.step(ha), 'rolling update: a failover or switchover is in progress');
  assert.deepEqual(ha.asked, ['switchover 1']);
  assert.deepEqual(w.applier.writes, [], 'the primary is not restarted before its role has moved');

  ha.finish();
  await settle();
  ha.state = { ...ha.state, primary: 1 };
  assert.equal(await w.step(ha), 'rolling update: restarting instance 0');
  assert.deepEqual(w.applier.writes, ['delete Pod/demo-0']);
});
