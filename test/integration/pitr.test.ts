// Point-in-time recovery in the sandbox: writers stamp every row; a backup is taken, the
// primary is killed (a failover) while the archive follows the new primary; a restore to a
// time T after the failover holds every write acknowledged before T and none sent after it,
// and a restore to a GTID holds exactly the writes up to it. Targets outside the archive are
// refused with the covered range, before anything is created.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Sandbox, sleep, useCluster } from './harness.js';
import { StampedWriters } from './stamped.js';

const sb = new Sandbox('pitr', 15600);
const archive = join(sb.home, 'archive');
Object.assign(sb.extraSpec, { pitr: { storage: { local: { path: archive } }, archiveIntervalSeconds: 1 } });
// Restored clusters live in the same home: down first (after hooks run in order).
const restored: string[] = [];
after(async () => {
  for (const name of restored) await sb.cli(['local', 'down', name, '--purge']);
});
useCluster(sb, 2, StampedWriters.prepare);

async function rowsOf(name: string): Promise<{ keys: Set<string>; position: string }> {
  const status = JSON.parse((await sb.cli(['local', 'status', name, '-o', 'json'])).stdout);
  assert.equal(status.phase, 'Running');
  assert.ok(status.instances.length === 2 && status.instances.every((i: { ready: boolean }) => i.ready), 'every instance ready');
  const c = await mysql.createConnection({
    host: '127.0.0.1', port: Number(status.endpoints.readWrite.split(':')[1]), user: 'app',
    password: readFileSync(status.credentials.passwordFile, 'utf8').trim(), database: 'app',
  });
  try {
    const [rows] = (await c.query('SELECT writer, seq FROM stamped')) as any;
    const [[pos]] = (await c.query('SELECT @@gtid_binlog_pos AS p')) as any;
    return { keys: new Set((rows as Array<{ writer: number; seq: number }>).map((r) => `${r.writer}:${r.seq}`)), position: String(pos.p) };
  } finally {
    c.destroy();
  }
}

test('restore to a time and to a GTID after a failover: every write acknowledged before the target, nothing after', async () => {
  const writers = new StampedWriters(sb, 2).start();
  await sleep(1500);
  const backup = await sb.cli(['local', 'backup', sb.name, '--to', `file://${archive}`, '-o', 'json']);
  assert.equal(backup.code, 0, backup.stderr);
  await sleep(1500);
  const { pid, ordinal } = await sb.primary();
  process.kill(pid, 'SIGKILL');
  await sb.waitFor('a failover', (s) => s.failovers === 1 && s.primary !== ordinal && sb.healthy(2)(s), 90_000);
  await sleep(2500);
  const target = new Date();
  await sleep(2500);
  await writers.stop();
  const end = Date.now();
  const s = await sb.waitFor('the archive past the last write', (x) => !!x.pitr?.lastRecoverableTime && Date.parse(x.pitr.lastRecoverableTime) > end, 60_000);
  assert.equal(s.pitr!.continuous, true, 'the archive is continuous across the failover');

  // To a time: the whole second below T is the point (binary log events carry whole seconds).
  const r = await sb.cli(['local', 'restore', '--from', `file://${archive}`, '--as', 'pitrtime', '--to-time', target.toISOString()]);
  restored.push('pitrtime');
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  const point = Math.floor(target.getTime() / 1000) * 1000;
  const atTime = await rowsOf('pitrtime');
  assert.deepEqual(writers.diffAtTime(atTime.keys, point), { lost: [], late: [] }, `restored to ${new Date(point).toISOString()} at ${atTime.position}`);
  assert.ok([...writers.acked.values()].some((st) => st.ackedAt < point && st.sentAt > Date.parse(backup.stdout ? JSON.parse(backup.stdout).endTime : '0')), 'the replay brought writes made after the backup');

  // To a GTID written by the new primary: exactly the writes up to it.
  const afterFailover = [...writers.acked.values()].filter((st) => st.sentAt > point).map((st) => st.seq).sort((a, b) => a - b);
  const upTo = afterFailover[Math.floor(afterFailover.length / 2)];
  const g = await sb.cli(['local', 'restore', '--from', `file://${archive}`, '--as', 'pitrgtid', '--to-gtid', `0-1-${upTo}`]);
  restored.push('pitrgtid');
  assert.equal(g.code, 0, `${g.stderr}\n${g.stdout}`);
  const atGtid = await rowsOf('pitrgtid');
  assert.match(atGtid.position, new RegExp(`^0-\\d+-${upTo}$`));
  assert.deepEqual(writers.diffAtSeq(atGtid.keys, upTo), { missing: [], extra: [] });

  // Outside the covered range: refused with the range, and nothing created.
  for (const [flag, value, want] of [
    ['--to-time', new Date(Date.now() + 3_600_000).toISOString(), /--to-time: .* is not covered: the archive covers sequence numbers \d+ to \d+, up to 20/],
    ['--to-gtid', '0-1-99999999', /--to-gtid: sequence number 99999999 is not covered/],
    ['--to-time', '2001-01-01T00:00:00Z', /--to-time: no backup is consistent at or before 2001-01-01/],
  ] as const) {
    const x = await sb.cli(['local', 'restore', '--from', `file://${archive}`, '--as', 'nothere', flag, value]);
    assert.notEqual(x.code, 0);
    assert.match(x.stderr, want);
  }
  assert.equal(existsSync(join(sb.home, 'clusters', 'nothere')), false);
});
