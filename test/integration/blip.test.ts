// F4 and F3: a pause of the primary shorter than the detection window is a blip and
// changes nothing; a longer one is an isolation: a replica is promoted, and the old
// primary, once it runs again, acknowledges nothing and ends read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, sleep, useCluster } from './harness.js';
import { verifyWrites, WritableWatch, Writers } from './writers.js';

// detectionWindowSeconds 4 is the default; anti-flapping off so the two cases can follow each other.
const sb = new Sandbox('blip', 14200, { failover: { minIntervalSeconds: 0 } });

useCluster(sb, 3, Writers.prepare);

test('a 2 s SIGSTOP of the primary (below the 4 s window) causes no failover', async () => {
  const writers = new Writers(sb, 2).start();
  await sleep(1000);
  const p = await sb.primary();
  process.kill(p.pid, 'SIGSTOP');
  await sleep(2000);
  process.kill(p.pid, 'SIGCONT');
  const resumedAt = Date.now();
  const ackedAtResume = writers.acked.size;
  // How fast is for the benchmarks (bench:failover); here: they resume, on the same primary.
  while (writers.acked.size === ackedAtResume && Date.now() - resumedAt < 60_000) await sleep(20);
  assert.ok(writers.acked.size > ackedAtResume, 'writes resume after the blip');
  console.log(`# writes resumed ${Date.now() - resumedAt} ms after the blip's end`);
  // Ticks never overlap: once one that began after the resume saw the primary ready, a
  // failover for the blip would already show.
  const s = await sb.waitFor('a tick after the blip', (x) => Date.parse(x.observedAt ?? '') > resumedAt && !!x.instances.find((i) => i.ordinal === p.ordinal)?.ready);
  const report = await writers.stop();
  assert.equal(s.failovers, 0, 'no failover');
  assert.equal(s.primary, p.ordinal, 'same primary');
  const v = await verifyWrites(sb, p.ordinal, report);
  assert.deepEqual(v.lost, []);
});

test('SIGSTOP past the window: promotion, the isolated old primary acknowledges nothing, then is read-only', async () => {
  const writers = new Writers(sb, 3).start();
  const watch = new WritableWatch(sb, [0, 1, 2]).start();
  await sleep(1000);
  const old = await sb.primary();
  process.kill(old.pid, 'SIGSTOP');
  const s = await sb.waitFor('a replica promoted', (s) => s.primary !== old.ordinal && s.primary !== null && s.phase !== 'FailingOver', 30_000);

  // An application client that reaches the old primary directly, bypassing the endpoint.
  const direct = sb
    .app(sb.basePort + old.ordinal)
    .then(async (c) => {
      try {
        await c.query({ sql: 'INSERT INTO writes (writer, seq) VALUES (9999, 1)', timeout: 20_000 });
      } finally {
        c.destroy();
      }
    })
    .then(
      () => 'acknowledged',
      (e: Error) => `refused: ${e.message}`,
    );
  await sleep(1000);
  resume(old.pid); // the sandbox may already have killed it as a fence
  const outcome = await direct;
  assert.notEqual(outcome, 'acknowledged', 'the isolated old primary acknowledged a write');

  const healed = await sb.waitFor('the old primary read-only again', (x) => {
    const o = x.instances.find((i) => i.ordinal === old.ordinal);
    return o?.readOnly === true && (o.role === 'replica' ? o.ready : o.errant);
  }, 60_000);
  await sleep(1000);
  const report = await writers.stop();
  await watch.stop();
  const v = await verifyWrites(sb, s.primary!, report);
  assert.deepEqual(v.lost, [], 'no acknowledged write lost');
  assert.deepEqual(v.phantom, [], 'no phantom rows');
  assert.ok(healed.failovers >= 1);
  // While SIGSTOPped the old primary answered nothing, so any overlap seen here would be real.
  assert.deepEqual(watch.violations, [], 'never two writable instances answering');
});

test('one replica down past the window: no failover, writes go on, it catches up', async () => {
  await sb.waitFor('healthy', sb.healthy(3));
  const before = await sb.status();
  const writers = new Writers(sb, 2).start();
  await sleep(1000);
  const replica = before.instances.find((i) => i.role === 'replica')!;
  process.kill(replica.pid!, 'SIGSTOP');
  const ackedAtStop = writers.acked.size;
  await sleep(6000);
  const ackedWhileDown = writers.acked.size - ackedAtStop;
  process.kill(replica.pid!, 'SIGCONT');
  const s = await sb.waitFor('healthy again', sb.healthy(3), 30_000);
  const report = await writers.stop();
  assert.equal(s.failovers, before.failovers, 'no failover');
  assert.equal(s.primary, before.primary, 'same primary');
  assert.ok(ackedWhileDown > 50, `writes went on while a replica was down (${ackedWhileDown})`);
  const [pos] = await sb.instanceQuery(s.primary!, 'SELECT @@gtid_binlog_pos AS p');
  const [caught] = await sb.instanceQuery(replica.ordinal, 'SELECT MASTER_GTID_WAIT(?, 30) AS r', [pos.p]);
  assert.equal(Number(caught.r), 0, 'the replica caught up');
  const v = await verifyWrites(sb, replica.ordinal, report);
  assert.deepEqual(v.lost, [], 'the replica caught up with every acknowledged write');
});

function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
