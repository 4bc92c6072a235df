// The Storage phase (pvcRetention) against a fake Applier and fake caches: owner references on
// the claims follow whenDeleted; a removed instance's claim goes only under whenScaled: Delete,
// and only once its pod is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyClaimRetention } from '../../src/controllers/storage.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeApplier, FakeEvents, OWNER, fakeCache } from './fake-kube.js';
import { validCluster } from './fixtures.js';

const labels = { 'ordinal.dev/cluster': 'demo' };
const claim = (name: string, namespace = 'db', ownerUids: string[] = []): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, namespace, labels, ...(ownerUids.length ? { ownerReferences: ownerUids.map((uid) => ({ uid })) } : {}) },
});
const pod = (name: string, namespace = 'db'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels } });

function world(claims: KubeObject[], pods: KubeObject[]) {
  const applier = new FakeApplier().put(...claims);
  const events = new FakeEvents();
  return { applier, events, deps: { applier, events, claims: fakeCache(claims), pods: fakeCache(pods) } };
}

const owners = async (applier: FakeApplier, name: string) =>
  ((await applier.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace: 'db' }))?.metadata?.ownerReferences as Array<{ uid: string; kind?: string }> | undefined)?.map((r) => r.kind ? `${r.kind}/${r.uid}` : r.uid);

test('whenDeleted: Delete adds the cluster as owner of each of its claims, once, keeping other owners', async () => {
  const claims = [claim('data-demo-0', 'db', ['someone']), claim('data-demo-1', 'db', ['uid-demo']), claim('data-demo-0', 'elsewhere'), claim('data-other-0'), claim('scratch')];
  const { applier, deps } = world(claims, []);
  await applyClaimRetention(deps, OWNER, validCluster({ storage: { pvcRetention: { whenDeleted: 'Delete' } } }));
  assert.deepEqual(applier.writes, ['patch PersistentVolumeClaim/data-demo-0']);
  assert.deepEqual(await owners(applier, 'data-demo-0'), ['someone', 'MySQLCluster/uid-demo']);
});

test('whenDeleted: Retain takes the cluster off as owner, and clears the list when it was the only one', async () => {
  const claims = [claim('data-demo-0', 'db', ['uid-demo']), claim('data-demo-1', 'db', ['someone', 'uid-demo']), claim('data-demo-2')];
  const { applier, deps } = world(claims, []);
  await applyClaimRetention(deps, OWNER, validCluster());
  assert.deepEqual(applier.writes, ['patch PersistentVolumeClaim/data-demo-0', 'patch PersistentVolumeClaim/data-demo-1']);
  assert.equal(await owners(applier, 'data-demo-0'), undefined);
  assert.deepEqual(await owners(applier, 'data-demo-1'), ['someone']);
});

test('whenScaled: Delete deletes the claim of a removed instance once its pod is gone, and says so', async () => {
  const claims = [0, 1, 2, 3, 4].map((o) => claim(`data-demo-${o}`));
  const pods = [pod('demo-0'), pod('demo-1'), pod('demo-3')];
  const { applier, events, deps } = world(claims, pods);
  await applyClaimRetention(deps, OWNER, validCluster({ replicas: 2, storage: { pvcRetention: { whenScaled: 'Delete' } } }));
  // 3 still has its pod (the StatefulSet has not removed it yet); 0 and 1 are still in the cluster.
  assert.deepEqual(applier.writes, ['delete PersistentVolumeClaim/data-demo-2', 'delete PersistentVolumeClaim/data-demo-4']);
  assert.deepEqual(events.seen, [
    'Normal ClaimDeleted: deleted data-demo-2 of removed instance 2 (pvcRetention.whenScaled: Delete)',
    'Normal ClaimDeleted: deleted data-demo-4 of removed instance 4 (pvcRetention.whenScaled: Delete)',
  ]);

  // The caches catch up: claims 2 and 4 gone; then instance 3's pod goes too.
  claims.splice(4, 1);
  claims.splice(2, 1);
  pods.splice(2, 1);
  applier.writes.length = 0;
  await applyClaimRetention(deps, OWNER, validCluster({ replicas: 2, storage: { pvcRetention: { whenScaled: 'Delete' } } }));
  assert.deepEqual(applier.writes, ['delete PersistentVolumeClaim/data-demo-3']);
});

test('a pod of the same name in another namespace does not keep a claim', async () => {
  const { applier, deps } = world([claim('data-demo-0'), claim('data-demo-1')], [pod('demo-0'), pod('demo-1', 'elsewhere')]);
  await applyClaimRetention(deps, OWNER, validCluster({ replicas: 1, storage: { pvcRetention: { whenScaled: 'Delete' } } }));
  assert.deepEqual(applier.writes, ['delete PersistentVolumeClaim/data-demo-1']);
});

test('whenScaled: Retain keeps every claim', async () => {
  const { applier, deps } = world([0, 1, 2].map((o) => claim(`data-demo-${o}`)), [pod('demo-0')]);
  await applyClaimRetention(deps, OWNER, validCluster({ replicas: 1 }));
  assert.deepEqual(applier.writes, []);
});
