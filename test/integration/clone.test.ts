// B1: a replica is cloned while the primary takes writes; the clone is killed midway; the
// retry is clean and every instance ends with the same data (checksums equal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, sleep, useCluster } from './harness.js';
import { Writers } from './writers.js';

const sb = useCluster(new Sandbox('clone', 14600), 2, async (sb) => {
  await Writers.prepare(sb);
  const c = await sb.app();
  await c.query('CREATE TABLE bulk (id INT AUTO_INCREMENT PRIMARY KEY, body LONGBLOB) ENGINE=InnoDB');
  // About 200 MB, so that a clone takes long enough to be interrupted.
  for (let i = 0; i < 50; i++) await c.query(`INSERT INTO bulk (body) VALUES (REPEAT(MD5(RAND()), ${(4 * 1024 * 1024) / 32}))`);
  c.destroy();
});

test('a clone killed midway is retried cleanly; all instances end identical', async () => {
  const writers = new Writers(sb, 2).start();
  await sleep(500);
  const up = sb.up(3); // scale 2 -> 3: instance 2 is cloned under writes
  const backup = await waitForBackupProcess(sb.home, 60_000);
  await sleep(300);
  process.kill(backup, 'SIGKILL');
  await up; // the retry succeeds within up's wait
  const s = await sb.waitFor('three healthy instances', sb.healthy(3));
  assert.ok(s.events.some((e) => e.reason === 'ProvisioningFailed'), 'the killed clone was reported');
  await writers.stop();

  const [pos] = await sb.instanceQuery(s.primary!, 'SELECT @@gtid_binlog_pos AS p');
  const sums: string[] = [];
  for (const o of [0, 1, 2]) {
    const [w] = await sb.instanceQuery(o, 'SELECT MASTER_GTID_WAIT(?, 60) AS r', [pos.p], 65_000);
    if (o !== s.primary) assert.equal(Number(w.r), 0, `instance ${o} caught up`);
    const rows = await sb.instanceQuery(o, 'CHECKSUM TABLE app.writes, app.bulk', [], 60_000);
    sums.push(rows.map((r: any) => `${r.Table}=${r.Checksum}`).join(' '));
  }
  assert.equal(new Set(sums).size, 1, `checksums differ: ${sums.join(' | ')}`);
  const instanceDir = join(sb.home, 'clusters', sb.name, 'instances', '2');
  assert.equal(existsSync(join(instanceDir, 'data.clone')), false, 'no staging folder left behind');
});

/** The pid of a running mariadb-backup --backup for this sandbox. */
async function waitForBackupProcess(home: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes('mariadb-backup') && cmd.includes('--backup') && cmd.includes(home)) return Number(pid);
      } catch {
        /* gone */
      }
    }
    await sleep(20);
  }
  throw new Error('no mariadb-backup process appeared');
}
