// O1: the supervisor dies in the middle of a failover (at a named step, through the
// ORDINAL_FAULT test hook) and is started again: the failover finishes, nothing is lost,
// there is never more than one writable instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, sleep, supervisorPidOf, useCluster } from './harness.js';
import { verifyWrites, WritableWatch, Writers } from './writers.js';

const sb = new Sandbox('crash', 14500, { failover: { minIntervalSeconds: 0 } });

useCluster(sb, 3, Writers.prepare);

for (const point of ['failover:fenced', 'failover:recorded']) {
  test(`supervisor killed at ${point} and restarted: healthy, nothing lost`, async () => {
    await sb.waitFor('healthy', sb.healthy(3));
    // Restart the supervisor with the fault armed (the servers keep running meanwhile).
    process.kill(supervisorPidOf(sb)!, 'SIGKILL');
    await sleep(300);
    await sb.up(3, { ORDINAL_FAULT: point });
    const before = await sb.status();
    const writers = new Writers(sb, 3).start();
    const watch = new WritableWatch(sb, [0, 1, 2]).start();
    await sleep(1500);
    const old = await sb.primary();
    const supervisor = supervisorPidOf(sb)!;
    process.kill(old.pid, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (supervisorAlive(supervisor) && Date.now() < deadline) await sleep(50);
    assert.equal(supervisorAlive(supervisor), false, `the supervisor died at ${point}`);
    await sleep(1000);

    await sb.up(3); // a fresh supervisor without the fault
    const s = await sb.waitFor('recovered', (x) => sb.healthy(3)(x) && x.primary !== old.ordinal);
    await sleep(1500);
    const report = await writers.stop();
    await watch.stop();
    assert.equal(s.failovers, before.failovers + 1, 'exactly one more failover');
    const v = await verifyWrites(sb, s.primary!, report);
    assert.deepEqual(v.lost, [], 'no acknowledged write lost');
    assert.deepEqual(v.phantom, [], 'no phantom rows');
    assert.deepEqual(watch.violations, [], 'never two writable instances');
  });
}

function supervisorAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
