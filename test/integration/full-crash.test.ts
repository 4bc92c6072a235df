// C1: every mariadbd and the supervisor are killed at once under writes, then `local up`
// again. The recorded primary restarts keeping its binary log's tail (it may hold
// acknowledged commits whose InnoDB commit record never reached the disk), the read-write
// endpoint serves nothing until a writable primary holds everything, and no acknowledged
// write is lost. Several rounds: a single round passed by luck too often before the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, sleep, supervisorPidOf, useCluster } from './harness.js';
import { verifyWrites, Writers } from './writers.js';

const ROUNDS = 3;
const sb = new Sandbox('fullcrash', 14900);

useCluster(sb, 3, Writers.prepare);

test(`crash of every process at once, ${ROUNDS} rounds: 0 acknowledged writes lost`, async () => {
  let recoveries = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    await sb.waitFor('healthy', sb.healthy(3), 120_000);
    const writers = new Writers(sb, 6).start();
    await sleep(1500);
    const s = await sb.status();
    const pids = [supervisorPidOf(sb)!, ...s.instances.map((i) => i.pid!)];
    assert.equal(pids.filter(Boolean).length, 4, 'a supervisor and three servers to kill');
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await sleep(500);
    await sb.up(3);
    const after = await sb.waitFor('healthy after the crash', sb.healthy(3), 120_000);
    const report = await writers.stop();
    const v = await verifyWrites(sb, after.primary!, report);
    assert.deepEqual(v.lost, [], `round ${round}: no acknowledged write lost (${report.acked.size} acknowledged)`);
    assert.deepEqual(v.phantom, [], `round ${round}: no phantom rows`);
    recoveries = after.recoveries + after.failovers;
    console.log(`full crash round ${round}: acked ${report.acked.size}, primary ${s.primary} -> ${after.primary}`);
  }
  assert.ok(recoveries >= ROUNDS, `each full-crash recovery is counted (${recoveries})`);
});
