// PURE: what a MySQLBackupSchedule does now. A run that came due creates one MySQLBackup
// (runs missed while the operator was away collapse into the latest one, as a CronJob's do);
// a run is skipped while one of the schedule's backups is unfinished, so backups never pile
// up behind a slow one. Completed backups beyond `keep`, or older than `maxAge`, are deleted,
// but never the newest completed one; failed ones beyond the newest three are deleted.

export interface OwnedBackup {
  name: string;
  created: number;
  phase?: string;
  /** The run it was created for. */
  scheduledAt?: number;
}

export interface ScheduleView {
  now: number;
  suspend: boolean;
  keep: number;
  maxAgeMs?: number;
  /** The last scheduled time a run was handled (created or skipped), or the schedule's creation. */
  since: number;
  /** The schedule's next times after a given time (croner, UTC). */
  nextAfter: (t: number) => number | undefined;
  backups: OwnedBackup[];
}

export interface SchedulePlan {
  /** The scheduled time of the run to create now, if one is due. */
  run?: number;
  /** Due, but skipped: why. */
  skipped?: string;
  /** The newest scheduled time handled (status.lastScheduleTime). */
  handled: number;
  delete: string[];
  next?: number;
}

const KEEP_FAILED = 3;

export function planSchedule(v: ScheduleView): SchedulePlan {
  let due: number | undefined;
  for (let t = v.nextAfter(v.since); t !== undefined && t <= v.now; t = v.nextAfter(t)) due = t;
  const plan: SchedulePlan = { handled: due ?? v.since, delete: retention(v), next: v.nextAfter(due ?? v.since) };
  if (plan.next !== undefined && plan.next <= v.now) plan.next = v.nextAfter(v.now);
  // Suspended: due runs count as handled, so resuming does not start an old one.
  if (due === undefined || v.suspend) return plan;
  // Created already (the status saying so was not seen yet): nothing to do, nothing skipped.
  if (v.backups.some((b) => b.scheduledAt === due)) return plan;
  const busy = v.backups.find((b) => b.phase !== 'Completed' && b.phase !== 'Failed');
  if (busy) return { ...plan, skipped: `backup ${busy.name} of this schedule has not finished` };
  return { ...plan, run: due };
}

function retention(v: ScheduleView): string[] {
  const newestFirst = [...v.backups].sort((a, b) => b.created - a.created);
  const completed = newestFirst.filter((b) => b.phase === 'Completed');
  const failed = newestFirst.filter((b) => b.phase === 'Failed');
  const expired = completed.filter((b, i) => i > 0 && (i >= v.keep || (v.maxAgeMs !== undefined && v.now - b.created > v.maxAgeMs)));
  return [...expired, ...failed.slice(KEEP_FAILED)].map((b) => b.name);
}

/** The name of the backup a run creates: the schedule's name and the run's UTC time. */
export function scheduledBackupName(schedule: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/\.\d+Z$/, 'z').replace(/[-:]/g, '').replace('T', '-').toLowerCase();
  return `${schedule.slice(0, 63 - stamp.length - 1 - 7)}-${stamp}`;
}
