// The sandbox's backup schedule (spec.backupSchedule): the supervisor takes a backup at each
// cron time (UTC), never two at once, verifies it when asked, and deletes the oldest beyond
// `keep` with their files, and the archived binary logs no kept backup needs.
import { Cron } from 'croner';
import type { ClusterSpec } from '../../api/cluster.js';
import { listBackups } from '../../backup/list.js';
import { describeLocation, parseLocation } from '../../backup/location.js';
import { storedBytes } from '../../backup/manifest.js';
import { deleteBackup, expiredBackups, prunableSegments } from '../../backup/retention.js';
import { listSegments } from '../../backup/segment.js';
import { locationOf } from '../../backup/storage-location.js';
import { openStore } from '../../backup/store.js';
import type { Logger } from '../../clustering/operations.js';
import type { InstanceSummary } from '../../clustering/summary.js';
import { backupCluster } from './backup.js';
import type { ClusterPaths } from './paths.js';
import { localVerify } from './verify.js';

export interface ScheduleStatus {
  schedule: string;
  location: string;
  suspended: boolean;
  running: boolean;
  nextRun?: string;
  lastRun?: { id?: string; startedAt: string; seconds: number; ok: boolean; error?: string; verified?: boolean };
  /** The newest run that succeeded, with the backup's stored size. */
  lastSuccess?: { id: string; startedAt: string; seconds: number; bytes: number; verified?: boolean };
  /** Runs that failed, or whose backup could not be restored, since the supervisor started. */
  failedRuns: number;
  unrestorableRuns: number;
}

export class LocalBackupSchedule {
  private readonly cron: Cron;
  private running = false;
  private last?: ScheduleStatus['lastRun'];
  private lastSuccess?: ScheduleStatus['lastSuccess'];
  private failedRuns = 0;
  private unrestorableRuns = 0;
  readonly spec: string;

  constructor(
    private readonly paths: ClusterPaths,
    private readonly cluster: ClusterSpec,
    private readonly instances: () => InstanceSummary[],
    private readonly event: (type: 'Normal' | 'Warning', reason: string, message: string) => void,
    private readonly log: Logger,
  ) {
    const s = cluster.backupSchedule!;
    this.spec = JSON.stringify(s);
    // protect: a run still going when the next time comes is not started twice.
    this.cron = new Cron(s.schedule, { timezone: 'UTC', paused: s.suspend, protect: true }, () => this.run().catch(() => {}));
  }

  stop(): void {
    this.cron.stop();
  }

  status(): ScheduleStatus {
    const s = this.cluster.backupSchedule!;
    return {
      schedule: s.schedule,
      location: describeLocation(parseLocation(s.location, 'spec.backupSchedule.location')),
      suspended: s.suspend,
      running: this.running,
      nextRun: s.suspend ? undefined : this.cron.nextRun()?.toISOString(),
      lastRun: this.last,
      lastSuccess: this.lastSuccess,
      failedRuns: this.failedRuns,
      unrestorableRuns: this.unrestorableRuns,
    };
  }

  /** One scheduled backup now (the cron's, or `ordinal local backup NAME` without --to). */
  async run(): Promise<void> {
    if (this.running) throw new Error('a scheduled backup is running already; one at a time');
    this.running = true;
    const s = this.cluster.backupSchedule!;
    const started = Date.now();
    const location = parseLocation(s.location, 'spec.backupSchedule.location');
    try {
      const m = await backupCluster(this.paths, this.instances(), { to: location, method: s.method, target: 'preferReplica' });
      this.event('Normal', 'BackupCompleted', `scheduled ${m.method} backup ${m.cluster}/${m.id} at GTID ${m.gtid || '(empty)'}`);
      let verified: boolean | undefined;
      if (s.verify) {
        const v = await localVerify(location, `${m.cluster}/${m.id}`);
        verified = v.verification.ok;
        if (!verified) this.unrestorableRuns++;
        if (!verified) this.event('Warning', 'BackupUnrestorable', `backup ${m.cluster}/${m.id} could not be restored: ${v.verification.error}`);
      }
      this.last = { id: `${m.cluster}/${m.id}`, startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, ok: true, verified };
      this.lastSuccess = { id: this.last.id!, startedAt: this.last.startedAt, seconds: this.last.seconds, bytes: storedBytes(m), verified };
      await this.retain();
    } catch (err) {
      const error = (err as Error).message;
      this.last = { startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, ok: false, error };
      this.failedRuns++;
      this.event('Warning', 'BackupFailed', `scheduled backup failed: ${error}`);
      this.log.error({ err: error }, 'scheduled backup failed');
    } finally {
      this.running = false;
    }
  }

  private async retain(): Promise<void> {
    const s = this.cluster.backupSchedule!;
    const location = parseLocation(s.location, 'spec.backupSchedule.location');
    const store = openStore(location);
    const { backups } = await listBackups(store, this.paths.name);
    const expired = expiredBackups(backups, s.keep);
    for (const m of expired) {
      await deleteBackup(store, m);
      this.event('Normal', 'BackupDeleted', `deleted backup ${m.cluster}/${m.id} (keep ${s.keep})`);
    }
    // The archive goes with the backups when it lives in the same place.
    const pitr = this.cluster.pitr;
    if (!pitr || describeLocation(locationOf(pitr.storage)) !== describeLocation(location)) return;
    const kept = backups.filter((b) => !expired.includes(b));
    const segments = await listSegments(store, this.paths.name);
    const prune = prunableSegments(segments, kept[0]);
    if (prune.length) {
      await store.remove(prune.flatMap((x) => [x.key.replace(/\.zst$/, '.json'), x.key]));
      this.log.info({ segments: prune.length }, 'pruned archived binary logs older than the oldest kept backup');
    }
  }
}
