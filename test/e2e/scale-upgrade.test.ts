// E2E 3: scaling 3 -> 5 -> 3 clones new instances and never removes the primary; a config
// change restarts the replicas first and the primary last, after a switchover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writers, verifyWrites } from '../integration/writers.js';
import { kubectlOk, sleep, useCluster, useOperators, waitFor } from './harness.js';

useOperators();
const c = useCluster('scale', 'e2e-scale');
const spec = (replicas: number, config: Record<string, unknown> = {}) =>
  ({ replicas, storage: { size: '1Gi', storageClassName: 'standard' }, mariadb: { config } });

test('scale 3 -> 5 -> 3 under writes', async () => {
  assert.equal((await c.apply(spec(3))).code, 0);
  await c.healthy(3);
  await Writers.prepare(c);
  const writers = new Writers(c, 2).start();
  assert.equal((await c.apply(spec(5))).code, 0);
  const s5 = await c.healthy(5);
  assert.deepEqual(s5.instances!.map((i) => i.role), ['primary', 'replica', 'replica', 'replica', 'replica']);
  const events = await c.events();
  assert.equal((await c.pods()).length, 5);

  // Put the primary on ordinal 4: scaling to 3 must move it (switchover) before removing 4.
  assert.equal((await c.apply({ ...spec(5), primaryOrdinal: 4 })).code, 0);
  await waitFor('instance 4 to be primary', async () => ((await c.status()).primary === 4 ? true : undefined), 120_000, () => c.describe());
  assert.equal((await c.apply(spec(3))).code, 0);
  const s3 = await c.healthy(3);
  assert.ok(s3.primary! < 3, `primary ${s3.primary} is within the new size`);
  await waitFor('pods 3 and 4 to be gone', async () => ((await c.pods()).length === 3 ? true : undefined), 120_000);
  const report = await writers.stop();
  const v = await verifyWrites(c, s3.primary!, report);
  assert.deepEqual(v.lost, []);
  assert.deepEqual(v.phantom, []);
  // pvcRetention.whenScaled defaults to Retain: the removed instances' claims stay.
  const claims = (await kubectlOk(['-n', c.namespace, 'get', 'pvc', '-o', 'name'])).trim().split('\n').sort();
  assert.deepEqual(claims, [0, 1, 2, 3, 4].map((o) => `persistentvolumeclaim/data-scale-${o}`));
  assert.ok(events.length > 0);
});

test('a config change restarts replicas first and the primary last, after a switchover', async () => {
  const before = await c.status();
  const primary = before.primary!;
  const uids = new Map((await c.pods()).map((p) => [p.metadata.name, p.metadata.uid]));
  const writers = new Writers(c, 2).start();
  assert.equal((await c.apply(spec(3, { max_connections: 321 }))).code, 0);
  // Record the order in which pods are replaced (new uid) and who is primary at each moment.
  const order: string[] = [];
  let primaryWhenOldPrimaryRestarted: number | null | undefined;
  await waitFor('every pod replaced', async () => {
    for (const p of await c.pods()) {
      if (uids.get(p.metadata.name) !== p.metadata.uid && !order.includes(p.metadata.name)) {
        order.push(p.metadata.name);
        if (p.metadata.name === `scale-${primary}`) primaryWhenOldPrimaryRestarted = (await c.status()).primary;
      }
    }
    return order.length === 3 ? true : undefined;
  }, 600_000, () => c.describe());
  assert.equal(order[2], `scale-${primary}`, `the primary restarted last (order: ${order.join(', ')})`);
  assert.notEqual(primaryWhenOldPrimaryRestarted, primary, 'it was no longer the primary when it restarted');
  const s = await c.healthy(3, 600_000);
  for (const o of [0, 1, 2]) {
    const [row] = await c.instanceQuery(o, 'SELECT @@max_connections AS m');
    assert.equal(Number(row.m), 321, `instance ${o} runs the new config`);
  }
  const report = await writers.stop();
  const v = await verifyWrites(c, s.primary!, report);
  assert.deepEqual(v.lost, []);
  assert.ok((await c.events()).some((e) => e.reason === 'RollingRestart'));
  await sleep(0);
});
