// The sandbox's backup schedule: the cron fires (UTC) and the new backup is verified; `keep: 2`
// leaves exactly two backups with their files, and the archived binary logs no kept backup
// needs go with them; suspend stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, sleep, useCluster } from './harness.js';

const sb = new Sandbox('sched', 15700);
const store = join(sb.home, 'backups');
const schedule = { schedule: '* * * * *', location: `file://${store}`, method: 'logical', keep: 2, verify: true };
Object.assign(sb.extraSpec, { backupSchedule: schedule, pitr: { storage: { local: { path: store } }, archiveIntervalSeconds: 1 } });
useCluster(sb, 1, async (sb) => {
  const c = await sb.app();
  await c.query('CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB');
  c.destroy();
});

async function write(n: number): Promise<void> {
  const c = await sb.app();
  for (let i = 0; i < n; i++) await c.query('INSERT INTO t (v) VALUES (?)', [i]);
  c.destroy();
}

test('the cron fires, in UTC, and the backup is verified', async () => {
  const s = await sb.status();
  assert.ok(s.backupSchedule?.nextRun, 'the next run is shown');
  assert.equal(new Date(s.backupSchedule.nextRun).getUTCSeconds(), 0);
  const fired = await sb.waitFor('the scheduled backup', (x) => x.backupSchedule?.lastRun?.ok === true, 150_000);
  assert.equal(fired.backupSchedule!.lastRun!.verified, true);
  assert.ok(fired.events.some((e) => e.reason === 'BackupCompleted'));
});

test('keep: 2 leaves exactly two backups and their files; the archive is pruned with them', async () => {
  for (let i = 0; i < 3; i++) {
    await write(20);
    const wrote = Date.now();
    await sb.waitFor('the archive past the writes', (x) => !!x.pitr?.lastRecoverableTime && Date.parse(x.pitr.lastRecoverableTime) > wrote, 30_000);
    const r = await sb.cli(['local', 'backup', sb.name, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
  }
  const listed = JSON.parse((await sb.cli(['local', 'backups', '--from', `file://${store}`, '-o', 'json'])).stdout);
  assert.equal(listed.backups.length, 2);
  assert.ok(listed.backups.every((b: { verification?: { ok: boolean } }) => b.verification?.ok), 'each verified');
  const folders = readdirSync(join(store, sb.name)).filter((f) => f !== 'binlogs');
  assert.deepEqual(folders.sort(), listed.backups.map((b: { id: string }) => b.id).sort(), 'only their folders remain');
  const oldest = listed.backups[0];
  const oldestSeq = Number(oldest.gtid.split('-')[2]);
  const segments = readdirSync(join(store, sb.name, 'binlogs', '1')).filter((f) => f.endsWith('.json'));
  assert.ok(segments.length > 0, 'the archive holds what the kept backups need');
  const lastSeqs = segments.map((f) => Number(f.split('-')[1]));
  assert.ok(lastSeqs.every((last) => last > oldestSeq), `segments ending at or before ${oldestSeq} are pruned: ${segments.join(', ')}`);
  const s = await sb.status();
  assert.ok(s.events.some((e) => e.reason === 'BackupDeleted'));
});

test('suspend stops the schedule', async () => {
  writeFileSync(sb.specFile, sb.spec(1, { ...sb.extraSpec, backupSchedule: { ...schedule, suspend: true } }));
  const r = await sb.cli(['local', 'up', '-f', sb.specFile]);
  assert.equal(r.code, 0, r.stderr);
  const s = await sb.waitFor('the schedule suspended', (x) => x.backupSchedule?.suspended === true, 30_000);
  assert.equal(s.backupSchedule!.nextRun, undefined);
  // Past the next minute, when the cron would have fired: nothing ran.
  await sleep(60_000 - (Date.now() % 60_000) + 5000);
  const later = await sb.status();
  assert.deepEqual(later.backupSchedule!.lastRun, s.backupSchedule!.lastRun);
});
