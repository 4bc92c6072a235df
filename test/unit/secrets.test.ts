// The Secrets phase against a fake Applier: passwords kept across runs, the referenced
// application password, ownership following pvcRetention.whenDeleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSecret, ensureSecret } from '../../src/controllers/secrets.js';
import { PhaseError } from '../../src/controllers/phase-error.js';
import { SECRET_KEYS } from '../../src/builders/secret.js';
import type { KubeObject } from '../../src/kube/types.js';
import { FakeApplier, OWNER } from './fake-kube.js';
import { validCluster } from './fixtures.js';

const SECRET = { apiVersion: 'v1', kind: 'Secret', name: 'demo-secrets', namespace: 'db' };
const secretOf = async (applier: FakeApplier) => (await applier.get<KubeObject & { data?: Record<string, string> }>(SECRET))!;
const ownerUids = (s: KubeObject) => ((s.metadata?.ownerReferences as Array<{ uid: string }> | undefined) ?? []).map((r) => r.uid);
const base64 = (v: string) => Buffer.from(v).toString('base64');

test('passwords are generated once and kept: a second run writes nothing', async () => {
  const applier = new FakeApplier();
  await ensureSecret(applier, OWNER, validCluster());
  const first = decodeSecret(await secretOf(applier));
  assert.deepEqual(Object.keys(first).sort(), [...SECRET_KEYS].sort());
  await ensureSecret(applier, OWNER, validCluster());
  assert.deepEqual(decodeSecret(await secretOf(applier)), first);
  assert.deepEqual(applier.writes, ['apply Secret/demo-secrets']);
});

test('a key that went missing is generated again; the others are kept', async () => {
  const applier = new FakeApplier();
  await ensureSecret(applier, OWNER, validCluster());
  const before = decodeSecret(await secretOf(applier));
  const { exporter: _, ...rest } = (await secretOf(applier)).data!;
  applier.put({ ...(await secretOf(applier)), data: rest });
  await ensureSecret(applier, OWNER, validCluster());
  const after = decodeSecret(await secretOf(applier));
  assert.ok(after.exporter && after.exporter !== before.exporter);
  assert.deepEqual({ ...after, exporter: '' }, { ...before, exporter: '' });
});

test('the referenced application password is copied in', async () => {
  const applier = new FakeApplier().put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-pw', namespace: 'db' }, data: { pw: base64('s3cret') } });
  await ensureSecret(applier, OWNER, validCluster({ database: { passwordSecretRef: { name: 'app-pw', key: 'pw' } } }));
  assert.equal(decodeSecret(await secretOf(applier)).app, 's3cret');
});

test('a referenced key that is missing stops the phase, naming spec.database.passwordSecretRef, and writes nothing', async () => {
  const applier = new FakeApplier().put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-pw', namespace: 'db' }, data: { other: base64('x') } });
  for (const ref of [{ name: 'app-pw', key: 'pw' }, { name: 'absent', key: 'pw' }]) {
    await assert.rejects(
      ensureSecret(applier, OWNER, validCluster({ database: { passwordSecretRef: ref } })),
      (err) => err instanceof PhaseError && err.message === `spec.database.passwordSecretRef: Secret ${ref.name} has no key "pw"`,
    );
  }
  assert.deepEqual(applier.writes, []);
});

test('the Secret is the cluster\'s only under whenDeleted: Delete, and follows a change either way with the same passwords', async () => {
  const applier = new FakeApplier();
  await ensureSecret(applier, OWNER, validCluster());
  assert.deepEqual(ownerUids(await secretOf(applier)), []);
  const passwords = decodeSecret(await secretOf(applier));

  await ensureSecret(applier, OWNER, validCluster({ storage: { pvcRetention: { whenDeleted: 'Delete' } } }));
  assert.deepEqual(ownerUids(await secretOf(applier)), ['uid-demo']);
  await ensureSecret(applier, OWNER, validCluster({ storage: { pvcRetention: { whenDeleted: 'Delete' } } }));
  assert.equal(applier.writes.length, 2, 'owned already: nothing to write');

  await ensureSecret(applier, OWNER, validCluster());
  assert.deepEqual(ownerUids(await secretOf(applier)), []);
  assert.deepEqual(decodeSecret(await secretOf(applier)), passwords);
});
