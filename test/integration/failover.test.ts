// F1: SIGKILL the primary's mariadbd while clients write through the read-write endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, sleep, useCluster } from './harness.js';
import { verifyWrites, WritableWatch, Writers } from './writers.js';

const sb = new Sandbox('failover', 14100);

useCluster(sb, 3, Writers.prepare);

test('SIGKILL of the primary under writes: promoted replica, nothing lost, one writable, old primary rejoins', async () => {
  const writers = new Writers(sb, 4).start();
  const watch = new WritableWatch(sb, [0, 1, 2]).start();
  await sleep(2000);
  const old = await sb.primary();
  const ackedBefore = writers.acked.size;
  assert.ok(ackedBefore > 20, `writers made progress before the kill (${ackedBefore})`);

  process.kill(old.pid, 'SIGKILL');
  const s = await sb.waitFor('a new primary and the old one back as a replica', (s) =>
    s.primary !== old.ordinal && sb.healthy(3)(s) && s.instances.find((i) => i.ordinal === old.ordinal)?.role === 'replica');
  const ackedAtRecovery = writers.acked.size;
  await sleep(2000);
  const report = await writers.stop();
  await watch.stop();

  assert.equal(s.failovers, 1, 'exactly one failover');
  assert.ok(report.acked.size > ackedAtRecovery, 'writes continue on the new primary');
  const onPrimary = await verifyWrites(sb, s.primary!, report);
  assert.deepEqual(onPrimary.lost, [], 'no acknowledged write is lost');
  assert.deepEqual(onPrimary.phantom, [], 'no row appears that was never written');
  assert.deepEqual(watch.violations, [], 'never two writable instances');
  assert.ok(watch.samples > 20, 'the writable watch really sampled');

  // The old primary has caught up with everything too.
  await sleep(1000);
  const onOld = await verifyWrites(sb, old.ordinal, report);
  assert.deepEqual(onOld.lost, [], 'the rejoined old primary has every acknowledged write');
  const [ro] = await sb.instanceQuery(old.ordinal, 'SELECT @@read_only AS ro');
  assert.equal(Number(ro.ro), 1, 'the old primary is read-only');
  console.log(`failover: acked ${report.acked.size}, client outages ms ${report.outagesMs.join(', ')}`);
});

test('the writable watch catches a second writable instance (so its silence above means something)', async () => {
  const s = await sb.status();
  const replica = s.instances.find((i) => i.ordinal !== s.primary)!.ordinal;
  const supervisor = s.supervisor.pid!;
  // The HA loop would fence the stray writer within a tick: hold it still meanwhile.
  process.kill(supervisor, 'SIGSTOP');
  const watch = new WritableWatch(sb, [0, 1, 2]).start();
  try {
    await sb.instanceQuery(replica, 'SET GLOBAL read_only = 0');
    for (let i = 0; i < 200 && watch.violations.length === 0; i++) await sleep(50);
  } finally {
    await sb.instanceQuery(replica, 'SET GLOBAL read_only = 1');
    await watch.stop();
    process.kill(supervisor, 'SIGCONT');
  }
  assert.ok(watch.violations.length > 0, `two writable instances seen (${watch.samples} samples)`);
  assert.ok(watch.violations.every((v) => v.includes(String(replica)) && v.includes(String(s.primary))), watch.violations.join('; '));
});
