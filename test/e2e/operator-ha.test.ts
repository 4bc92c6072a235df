// E2E 4: the leading operator dies in the middle of a failover (after fencing the replicas);
// the standby takes the Lease and finishes it from status.ha; nothing acknowledged is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writers, verifyWrites } from '../integration/writers.js';
import { kubectlOk, sleep, useCluster, useOperators, waitFor } from './harness.js';

const { operators } = useOperators();
const c = useCluster('opha', 'e2e-opha');

test('the standby operator finishes a failover the leader died in', async () => {
  assert.equal((await c.apply({ replicas: 3, storage: { size: '1Gi', storageClassName: 'standard' } })).code, 0);
  await c.healthy(3);
  // Restart the leader with a fault: it kills itself once the failover has fenced the replicas.
  const ops = operators();
  await ops.stopAll();
  ops.start('op-fault', { ORDINAL_FAULT: 'failover:fenced' });
  await waitFor('op-fault leading', async () => ((await ops.leader()) === 'op-fault' ? true : undefined), 60_000);
  ops.start('op-standby');
  await c.healthy(3);

  await Writers.prepare(c);
  const writers = new Writers(c, 4).start();
  await sleep(2000);
  const old = (await c.status()).primary!;
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', `opha-${old}`, '--grace-period=0', '--force']);
  await ops.exited('op-fault', 60_000);
  const mid = await c.status();
  assert.ok(mid.ha?.operation, 'the failover was left half done in status.ha');
  await waitFor('the standby to lead', async () => ((await ops.leader()) === 'op-standby' ? true : undefined), 60_000);
  const s = await c.healthy(3);
  assert.notEqual(s.primary, old, 'a replica was promoted');
  const report = await writers.stop();
  const v = await verifyWrites(c, s.primary!, report);
  assert.deepEqual(v.lost, [], 'no acknowledged write lost');
  assert.deepEqual(v.phantom, []);
  assert.ok(ops.log('op-standby').includes('leading'));
});
