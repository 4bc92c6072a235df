// Switchover under writes loses nothing; an errant replica is detected, quarantined,
// never promoted, and comes back after a rebuild.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, sleep, useCluster } from './harness.js';
import { percentile, verifyWrites, WritableWatch, Writers } from './writers.js';

const sb = new Sandbox('switchover', 14300);

useCluster(sb, 3, Writers.prepare);

test('switchovers under writes: nothing lost, one writable, bounded pause', async () => {
  const writers = new Writers(sb, 4).start();
  const watch = new WritableWatch(sb, [0, 1, 2]).start();
  await sleep(1000);
  for (const to of [1, 2, 0]) {
    const r = await sb.cli(['local', 'switchover', sb.name, '--to', String(to)]);
    assert.equal(r.code, 0, r.stderr);
    const s = await sb.status();
    assert.equal(s.primary, to);
    await sleep(1000);
  }
  const report = await writers.stop();
  await watch.stop();
  const s = await sb.waitFor('healthy after switchovers', sb.healthy(3));
  assert.equal(s.switchovers, 3);
  assert.equal(s.failovers, 0);
  const v = await verifyWrites(sb, s.primary!, report);
  assert.deepEqual(v.lost, []);
  assert.deepEqual(v.phantom, []);
  assert.deepEqual(watch.violations, []);
  console.log(`switchover pauses ms: ${report.outagesMs.join(', ')} (p50 ${percentile(report.outagesMs, 50)})`);
});

test('an errant replica is quarantined, refused as a switchover target, and rejoins after a rebuild', async () => {
  const s0 = await sb.status();
  const victim = s0.instances.find((i) => i.role === 'replica')!.ordinal;
  // Someone lifts read_only on a replica for a moment and writes to it directly.
  await sb.instanceQuery(victim, 'SET GLOBAL read_only = OFF');
  await sb.instanceQuery(victim, 'INSERT INTO app.writes (writer, seq) VALUES (7777, 1)');
  await sb.instanceQuery(victim, 'SET GLOBAL read_only = ON').catch(() => {}); // the loop may have fenced it already
  const q = await sb.waitFor('the errant replica quarantined', (s) => s.instances.find((i) => i.ordinal === victim)?.errant === true, 10_000);
  assert.equal(q.instances.find((i) => i.ordinal === victim)!.ready, false, 'not routed');
  assert.ok(!q.routes.readOnly.includes(victim), 'not in the read-only route');
  const other = q.instances.find((i) => i.ordinal !== victim && i.ordinal !== q.primary)!;
  assert.equal(other.errant, false, 'no false positive on the healthy replica');

  const refused = await sb.cli(['local', 'switchover', sb.name, '--to', String(victim)]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /quarantined/);

  const rebuilt = await sb.cli(['local', 'rebuild', sb.name, String(victim)]);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const s = await sb.waitFor('healthy after the rebuild', sb.healthy(3));
  assert.equal(s.instances.find((i) => i.ordinal === victim)!.errant, false);
  const [row] = await sb.instanceQuery(victim, 'SELECT COUNT(*) AS n FROM app.writes WHERE writer = 7777');
  assert.equal(Number(row.n), 0, 'the errant row is gone after the rebuild');
});
