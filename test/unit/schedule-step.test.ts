// What a MySQLBackupSchedule does now (controllers/schedule-step.ts): runs, skips, retention.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cron } from 'croner';
import { planSchedule, scheduledBackupName, type OwnedBackup, type ScheduleView } from '../../src/controllers/schedule-step.js';

const t = (iso: string) => Date.parse(iso);
const hourly = new Cron('0 * * * *', { timezone: 'UTC', paused: true });
const base: ScheduleView = {
  now: t('2026-12-01T10:30:00Z'),
  suspend: false,
  keep: 2,
  since: t('2026-12-01T09:00:00Z'),
  nextAfter: (x) => hourly.nextRun(new Date(x))?.getTime(),
  backups: [],
};
const b = (name: string, iso: string, phase?: string): OwnedBackup => ({ name, created: t(iso), phase });

test('planSchedule', async (tt) => {
  const table: Array<[string, Partial<ScheduleView>, Partial<ReturnType<typeof planSchedule>>]> = [
    ['a due run is created, at its scheduled time', {}, { run: t('2026-12-01T10:00:00Z'), handled: t('2026-12-01T10:00:00Z'), next: t('2026-12-01T11:00:00Z'), delete: [] }],
    ['nothing due yet', { since: t('2026-12-01T10:00:00Z') }, { run: undefined, handled: t('2026-12-01T10:00:00Z'), next: t('2026-12-01T11:00:00Z') }],
    ['missed runs collapse into the latest one', { since: t('2026-12-01T05:00:00Z') }, { run: t('2026-12-01T10:00:00Z'), handled: t('2026-12-01T10:00:00Z') }],
    ['suspended: due runs are handled without a backup', { suspend: true }, { run: undefined, skipped: undefined, handled: t('2026-12-01T10:00:00Z') }],
    ['an unfinished backup of the schedule skips the run', { backups: [b('s-1', '2026-12-01T09:00:01Z', 'Running')] },
      { run: undefined, skipped: 'backup s-1 of this schedule has not finished', handled: t('2026-12-01T10:00:00Z') }],
    ['the run\'s backup exists already (status not seen yet): nothing created, nothing skipped', { backups: [{ ...b('s-10', '2026-12-01T10:00:01Z'), scheduledAt: t('2026-12-01T10:00:00Z') }] },
      { run: undefined, skipped: undefined, handled: t('2026-12-01T10:00:00Z') }],
    ['a backup not yet picked up (no phase) is unfinished too', { backups: [b('s-1', '2026-12-01T09:00:01Z')] }, { run: undefined, skipped: 'backup s-1 of this schedule has not finished' }],
    ['keep 2: the oldest completed ones go', {
      backups: [b('a', '2026-12-01T06:00:00Z', 'Completed'), b('b', '2026-12-01T07:00:00Z', 'Completed'), b('c', '2026-12-01T08:00:00Z', 'Completed'), b('d', '2026-12-01T09:00:00Z', 'Completed')],
    }, { delete: ['b', 'a'] }],
    ['failed ones do not count against keep; beyond the newest three they go', {
      backups: [b('ok', '2026-12-01T01:00:00Z', 'Completed'), ...[2, 3, 4, 5, 6].map((h) => b(`f${h}`, `2026-12-01T0${h}:00:00Z`, 'Failed'))],
    }, { delete: ['f3', 'f2'] }],
    ['maxAge deletes older completed backups, never the newest', {
      maxAgeMs: 3_600_000 * 2,
      backups: [b('old', '2026-12-01T01:00:00Z', 'Completed'), b('older', '2026-11-30T01:00:00Z', 'Completed')],
    }, { delete: ['older'] }],
  ];
  for (const [name, view, want] of table) {
    await tt.test(name, () => {
      const got = planSchedule({ ...base, ...view });
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, k);
    });
  }
});

test('scheduled backup names: DNS labels that leave room for the Job suffix', () => {
  assert.equal(scheduledBackupName('nightly', t('2026-12-01T03:00:00Z')), 'nightly-20261201-030000z');
  const long = scheduledBackupName('a'.repeat(63), t('2026-12-01T03:00:00Z'));
  assert.ok(`${long}-backup`.length <= 63, long);
  assert.match(long, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
});
