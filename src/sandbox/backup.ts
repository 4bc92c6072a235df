// `ordinal local backup` and `ordinal local backups`: take a backup of a running sandbox
// cluster into a location (platform/local/backup.ts does the work), and list the backups a
// location holds with their verifications.
import { listBackups, type Listed } from '../backup/list.js';
import { describeLocation, type Location } from '../backup/location.js';
import type { Manifest } from '../backup/manifest.js';
import { openStore } from '../backup/store.js';
import { readVerification, type Verification } from '../backup/verify.js';
import { backupCluster, type BackupRequest } from '../platform/local/backup.js';
import type { ScheduleStatus } from '../platform/local/backup-schedule.js';
import { callControl } from '../platform/local/control.js';
import { controlSocket, existingCluster } from './clusters.js';
import { clusterStatus } from './status.js';
import type { InstanceSummary } from '../clustering/summary.js';

export async function localBackup(name: string, request: BackupRequest): Promise<Manifest> {
  const paths = existingCluster(name);
  const status = await clusterStatus(name);
  if (status.phase === 'Stopped') throw new Error(`cluster ${name} is stopped; start it with ordinal local up -f FILE`);
  if (status.mode === 'galera') throw new Error(`cluster ${name} is a Galera cluster: its backups are not supported yet`);
  return backupCluster(paths, status.instances as InstanceSummary[], request);
}

/** A backup now with the settings of spec.backupSchedule, run by the supervisor (its limits apply). */
export async function scheduledBackupNow(name: string): Promise<ScheduleStatus> {
  const status = await callControl<ScheduleStatus>(controlSocket(name), 'POST', '/backup', {}, 24 * 3600_000);
  if (status.lastRun && !status.lastRun.ok) throw new Error(`the backup failed: ${status.lastRun.error}`);
  return status;
}

export interface ListedBackup extends Manifest {
  verification?: Verification;
}

export async function localBackups(from: Location, cluster?: string): Promise<{ backups: ListedBackup[]; unreadable: Listed['unreadable']; where: string }> {
  const store = openStore(from);
  const listed = await listBackups(store, cluster);
  const backups = await Promise.all(listed.backups.map(async (m) => ({ ...m, verification: await readVerification(store, m) })));
  return { backups, unreadable: listed.unreadable, where: describeLocation(from) };
}
