// Issue 7 on the real test cluster: every pod deleted at once under writes loses no
// acknowledged write (each restart waits for the operator's start mode: the recorded
// primary keeps its binary log's tail); and a MySQLCluster deleted and created again on its
// kept claims comes back with the instance holding the most as primary, not instance 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writers, verifyWrites } from '../integration/writers.js';
import { kubectl, kubectlOk, useCluster, useOperators, waitFor } from './harness.js';

const { operators } = useOperators();
const c = useCluster('crash', 'e2e-crash');
const SPEC = { replicas: 3, storage: { size: '1Gi', storageClassName: 'standard' } };

async function expectNothingLost(report: Awaited<ReturnType<Writers['stop']>>): Promise<number> {
  const s = await c.healthy(3);
  const primary = s.primary!;
  const [pos] = await c.instanceQuery(primary, 'SELECT @@gtid_binlog_pos AS p');
  for (const o of [0, 1, 2]) {
    if (o !== primary) await c.instanceQuery(o, 'SELECT MASTER_GTID_WAIT(?, 120)', [pos.p]);
    const v = await verifyWrites(c, o, report);
    assert.deepEqual(v.lost, [], `instance ${o} lost acknowledged writes`);
    assert.deepEqual(v.phantom, [], `instance ${o} has rows never written`);
  }
  assert.deepEqual(s.instances!.filter((i) => i.errant).map((i) => i.ordinal), [], 'nobody errant');
  return primary;
}

test('every pod deleted at once under writes: 0 acknowledged writes lost', async () => {
  assert.equal((await c.apply(SPEC)).code, 0);
  await c.healthy(3);
  await Writers.prepare(c);
  const writers = new Writers(c, 4).start();
  await waitFor('writes acknowledged', async () => (writers.acked.size > 200 ? true : undefined), 60_000);
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', '-l', `ordinal.dev/cluster=${c.name}`, '--grace-period=0', '--force', '--wait=false']);
  const acked = writers.acked.size;
  await waitFor('writes to resume after every pod came back', async () => (writers.acked.size > acked + 50 ? true : undefined), 600_000, () => c.describe());
  const report = await writers.stop();
  await expectNothingLost(report);
  console.log(`# every pod deleted: ${report.acked.size} writes acknowledged, client outages ms ${report.outagesMs.join(', ')}`);
});

test('deleted and created again on its kept claims: the instance holding the most is primary', async () => {
  let s = await c.healthy(3);
  if (s.primary === 0) {
    assert.equal((await c.apply({ ...SPEC, primaryOrdinal: 1 })).code, 0);
    s = await waitFor('instance 1 primary', async () => {
      const st = await c.status();
      return st.primary === 1 && st.phase === 'Running' ? st : undefined;
    }, 120_000, () => c.describe());
  }
  // No operator to repair it: instance 0 stops replicating and misses the last writes.
  await operators().stopAll();
  await c.instanceQuery(0, 'STOP SLAVE');
  const writers = new Writers(c, 2).start();
  await waitFor('writes instance 0 lacks', async () => (writers.acked.size > 50 ? true : undefined), 60_000);
  const report = await writers.stop();
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlcluster', c.name, '--wait=true', '--timeout=120s']);
  await waitFor('the pods to be gone', async () => ((await c.pods()).length === 0 ? true : undefined), 180_000);
  const claims = (await kubectlOk(['-n', c.namespace, 'get', 'pvc', '-o', 'name'])).trim().split('\n').sort();
  assert.deepEqual(claims, ['persistentvolumeclaim/data-crash-0', 'persistentvolumeclaim/data-crash-1', 'persistentvolumeclaim/data-crash-2']);
  assert.equal((await kubectl(['-n', c.namespace, 'get', 'secret', `${c.name}-secrets`])).code, 0, 'the passwords stay with the retained claims');

  operators().start('op-e');
  operators().start('op-f');
  assert.equal((await c.apply(SPEC)).code, 0);
  const after = await c.healthy(3, 600_000);
  assert.notEqual(after.primary, 0, 'instance 0 lacks the last writes: it must not be chosen');
  await expectNothingLost(report);
});
