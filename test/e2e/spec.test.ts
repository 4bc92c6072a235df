// E2E 5: invalid resources are refused by the API server's schema with the field path;
// changes that cannot be carried out surface as a condition and an Event and change nothing;
// deleting a cluster garbage-collects its children and keeps or deletes claims per policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, kubectlJson, kubectlOk, useCluster, useOperators, waitFor } from './harness.js';

useOperators();
const c = useCluster('spec', 'e2e-spec');
const storage = { size: '1Gi', storageClassName: 'standard' };

test('the API server refuses invalid specs with the field path', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ replicas: 0, storage }, /spec\.replicas/],
    [{ replicas: 'three', storage }, /spec\.replicas/],
    [{ replicas: 3, storage: { size: '10GB' } }, /spec\.storage\.size/],
    [{ replicas: 3, failover: { detectionWindowSeconds: 1 }, storage }, /spec\.failover\.detectionWindowSeconds/],
    [{ replicas: 3, engine: { version: '11.4' }, storage }, /spec\.engine\.version/],
    [{ replicas: 3, storage: { ...storage, pvcRetention: { whenDeleted: 'Keep' } } }, /spec\.storage\.pvcRetention\.whenDeleted/],
  ];
  for (const [spec, path] of cases) {
    const r = await c.apply(spec);
    assert.notEqual(r.code, 0, `accepted: ${JSON.stringify(spec)}`);
    assert.match(r.stderr, path);
  }
  const r = await kubectl(['-n', c.namespace, 'get', 'mysqlcluster', c.name]);
  assert.notEqual(r.code, 0, 'nothing was created');
});

test('a refused change (shrinking storage) is a condition and an Event, and changes nothing', async () => {
  assert.equal((await c.apply({ replicas: 1, storage: { ...storage, pvcRetention: { whenDeleted: 'Delete' } } })).code, 0);
  await c.healthy(1);
  const sts = await kubectlJson(['-n', c.namespace, 'get', 'statefulset', c.name]);
  assert.equal((await c.apply({ replicas: 2, storage: { size: '512Mi', storageClassName: 'standard', pvcRetention: { whenDeleted: 'Delete' } } })).code, 0);
  const ready = await waitFor('the Ready condition to name the refused field', async () => {
    const cond = (await c.status()).conditions?.find((x) => x.type === 'Ready');
    return cond?.reason === 'SpecRefused' ? cond : undefined;
  }, 60_000);
  assert.match(ready.message, /spec\.storage\.size cannot shrink from 1Gi to 512Mi/);
  assert.ok((await c.events()).some((e) => e.reason === 'SpecRefused' && /spec\.storage\.size/.test(e.message)));
  const after = await kubectlJson(['-n', c.namespace, 'get', 'statefulset', c.name]);
  assert.equal(after.spec.replicas, 1, 'replicas: 2 of the refused generation was not applied either');
  assert.equal(after.metadata.generation, sts.metadata.generation);
  // Back to a valid spec: accepted again.
  assert.equal((await c.apply({ replicas: 1, storage: { ...storage, pvcRetention: { whenDeleted: 'Delete' } } })).code, 0);
  await c.healthy(1);
});

test('deleting the cluster removes its children; whenDeleted: Delete removes the claims', async () => {
  await waitFor('the claim to be owned by the cluster', async () => {
    const pvc = await kubectlJson(['-n', c.namespace, 'get', 'pvc', 'data-spec-0']);
    return pvc.metadata.ownerReferences?.some((r: any) => r.kind === 'MySQLCluster') ? true : undefined;
  }, 60_000);
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlcluster', c.name, '--wait=true', '--timeout=120s']);
  await waitFor('children garbage-collected', async () => {
    const left = (await kubectlOk(['-n', c.namespace, 'get', 'statefulset,service,configmap,secret,pvc,pods', '-l', `ordinal.dev/cluster=${c.name}`, '-o', 'name'])).trim();
    return left === '' ? true : undefined;
  }, 180_000, () => kubectlOk(['-n', c.namespace, 'get', 'all,pvc,configmap,secret', '-o', 'name']));
});

test('with the default policy (Retain) the claims outlive the cluster', async () => {
  assert.equal((await c.apply({ replicas: 1, storage })).code, 0);
  await c.healthy(1);
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlcluster', c.name, '--wait=true', '--timeout=120s']);
  await waitFor('the StatefulSet to be gone', async () => ((await kubectl(['-n', c.namespace, 'get', 'statefulset', c.name])).code !== 0 ? true : undefined), 120_000);
  const pvc = await kubectlJson(['-n', c.namespace, 'get', 'pvc', 'data-spec-0']);
  assert.equal(pvc.metadata.deletionTimestamp, undefined, 'the claim is kept');
});
