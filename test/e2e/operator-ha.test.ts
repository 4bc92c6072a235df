// E2E 4 and issue 8 point 1: one operator acts at a time. The leader stalls (SIGSTOP) in the
// middle of a failover, after it recorded the target; the standby takes the Lease and
// finishes the failover from status.ha with that target; the old leader, woken long after,
// takes not one more step (its every write and SQL call is gated on holding the Lease by
// its own clock) and exits. Nothing acknowledged is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writers, verifyWrites } from '../integration/writers.js';
import { kubectlOk, sleep, useCluster, useOperators, waitFor } from './harness.js';

const { operators } = useOperators();
const c = useCluster('opha', 'e2e-opha');

/** What an operator logs when it acts on a cluster (pino `msg`). */
const ACTS = new Set(['acting', 'failover', 'switchover', 'routing labels changed', 'start mode given', 'HA loop started']);

test('a leader stalled in the middle of a failover never acts again; the standby finishes it with the recorded target', async () => {
  assert.equal((await c.apply({ replicas: 3, storage: { size: '1Gi', storageClassName: 'standard' } })).code, 0);
  await c.healthy(3);
  const ops = operators();
  await ops.stopAll();
  ops.start('op-stall', { ORDINAL_FAULT: 'stall:failover:chosen' });
  await waitFor('op-stall leading', async () => ((await ops.leader()) === 'op-stall' ? true : undefined), 60_000);
  ops.start('op-standby');
  const before = await c.healthy(3);

  await Writers.prepare(c);
  const writers = new Writers(c, 4).start();
  await sleep(2000);
  const old = before.primary!;
  await kubectlOk(['-n', c.namespace, 'delete', 'pod', `opha-${old}`, '--grace-period=0', '--force']);
  await waitFor('op-stall to stall in the failover', async () => (ops.stalled('op-stall') ? true : undefined), 120_000, () => c.describe());
  const mid = (await c.status()).ha?.operation as { kind: string; from: number; to?: number } | undefined;
  assert.equal(mid?.kind, 'failover');
  assert.equal(mid?.from, old);
  assert.notEqual(mid?.to, undefined, 'the target was recorded before the stall');

  await waitFor('the standby to lead', async () => ((await ops.leader()) === 'op-standby' ? true : undefined), 60_000);
  const s = await c.healthy(3);
  assert.equal(s.primary, mid!.to, 'the standby kept the recorded target');
  assert.equal(s.failovers, (before.failovers ?? 0) + 1, 'exactly one failover');

  // Wake the old leader well after the standby took over: it must find it lost the Lease.
  const logBefore = ops.log('op-stall').length;
  const woke = new Date();
  ops.signal('op-stall', 'SIGCONT');
  await ops.exited('op-stall', 60_000);
  const after = ops.log('op-stall').slice(logBefore).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
  const acted = after.filter((l) => ACTS.has(l.msg));
  assert.deepEqual(acted, [], 'the woken old leader acted');
  assert.ok(after.some((l) => l.msg === 'operator stopping'), 'and it stopped');

  const report = await writers.stop();
  const final = await c.healthy(3);
  assert.equal(final.primary, mid!.to);
  assert.equal(final.failovers, (before.failovers ?? 0) + 1, 'still exactly one failover');
  const events = await c.events();
  assert.equal(events.filter((e) => e.reason === 'FailedOver').reduce((n, e) => n + (e.count ?? 1), 0), 1, 'one FailedOver event');
  const late = events.filter((e) => e.reportingInstance === 'op-stall' && e.lastTimestamp && new Date(e.lastTimestamp) >= woke);
  assert.deepEqual(late, [], 'no Event from the old leader after it woke');
  for (const o of [0, 1, 2]) {
    if (o === final.primary) continue;
    const [pos] = await c.instanceQuery(final.primary!, 'SELECT @@gtid_binlog_pos AS p');
    await c.instanceQuery(o, 'SELECT MASTER_GTID_WAIT(?, 120)', [pos.p]);
  }
  const v = await verifyWrites(c, final.primary!, report);
  assert.deepEqual(v.lost, [], 'no acknowledged write lost');
  assert.deepEqual(v.phantom, []);
});
