// Backup and archive metrics, computed from the objects at every scrape (so a new leader, or a
// restarted operator, reports the same numbers): per cluster, the newest completed backup's
// time, duration and size, how many backups are Failed or unrestorable, and how far the binary
// log archive reaches. Alerts key on these.
import { Gauge, type Registry } from 'prom-client';
import type { KubeObject } from '../kube/types.js';
import type { Backup } from './backup.js';

export interface BackupSeries {
  namespace: string;
  cluster: string;
  lastSuccess?: number;
  lastDuration?: number;
  lastBytes?: number;
  failed: number;
  /** Backups whose verification could not restore them. */
  unrestorable: number;
}

/** PURE: one row per cluster that has backups. Times in seconds since the epoch. */
export function backupSeries(backups: Backup[]): BackupSeries[] {
  const rows = new Map<string, BackupSeries>();
  for (const b of backups) {
    const namespace = b.metadata?.namespace ?? 'default';
    const cluster = b.spec?.clusterName;
    if (!cluster) continue;
    const key = `${namespace}/${cluster}`;
    const row = rows.get(key) ?? { namespace, cluster, failed: 0, unrestorable: 0 };
    rows.set(key, row);
    const s = b.status;
    if (s?.phase === 'Failed') row.failed++;
    if (s?.verified && !s.verified.ok) row.unrestorable++;
    if (s?.phase !== 'Completed' || !s.completionTime) continue;
    const done = Date.parse(s.completionTime) / 1000;
    if (row.lastSuccess !== undefined && row.lastSuccess >= done) continue;
    row.lastSuccess = done;
    row.lastDuration = s.startTime ? done - Date.parse(s.startTime) / 1000 : undefined;
    row.lastBytes = s.bytes;
  }
  return [...rows.values()];
}

type ClusterWithArchive = KubeObject & { status?: { pitr?: { lastRecoverableTime?: string; continuous?: boolean } } };

/** PURE: per cluster with spec.pitr, until when it can be restored and whether without a gap. */
export function archiveSeries(clusters: ClusterWithArchive[]): Array<{ namespace: string; cluster: string; recoverable?: number; continuous?: number }> {
  return clusters.filter((c) => c.status?.pitr).map((c) => ({
    namespace: c.metadata?.namespace ?? 'default',
    cluster: c.metadata!.name!,
    recoverable: c.status!.pitr!.lastRecoverableTime ? Date.parse(c.status!.pitr!.lastRecoverableTime) / 1000 : undefined,
    continuous: c.status!.pitr!.continuous === undefined ? undefined : Number(c.status!.pitr!.continuous),
  }));
}

export type ArchiveRow = ReturnType<typeof archiveSeries>[number];

/** The series from rows the platform computes: the operator's from its objects, the sandbox's from its schedule and archiver. */
export function registerBackupMetrics(registry: Registry, rows: () => BackupSeries[], archives: () => ArchiveRow[]): void {
  const labelNames = ['namespace', 'cluster'];
  const series = (pick: (r: BackupSeries) => number | undefined) => function (this: Gauge) {
    this.reset();
    for (const r of rows()) {
      const v = pick(r);
      if (v !== undefined) this.set({ namespace: r.namespace, cluster: r.cluster }, v);
    }
  };
  new Gauge({ name: 'ordinal_backup_last_success_timestamp_seconds', help: 'completion time of the newest completed backup', labelNames, registers: [registry], collect: series((r) => r.lastSuccess) });
  new Gauge({ name: 'ordinal_backup_last_duration_seconds', help: 'how long the newest completed backup took', labelNames, registers: [registry], collect: series((r) => r.lastDuration) });
  new Gauge({ name: 'ordinal_backup_last_bytes', help: 'stored (compressed) size of the newest completed backup', labelNames, registers: [registry], collect: series((r) => r.lastBytes) });
  const archive = (pick: (r: ArchiveRow) => number | undefined) => function (this: Gauge) {
    this.reset();
    for (const r of archives()) {
      const v = pick(r);
      if (v !== undefined) this.set({ namespace: r.namespace, cluster: r.cluster }, v);
    }
  };
  // The archive's lag is time() minus this; alert when it grows past archiveIntervalSeconds.
  new Gauge({ name: 'ordinal_archive_last_recoverable_timestamp_seconds', help: 'every transaction before this time can be restored (spec.pitr)', labelNames, registers: [registry], collect: archive((r) => r.recoverable) });
  new Gauge({ name: 'ordinal_archive_continuous', help: '1 when the binary log archive has no gap', labelNames, registers: [registry], collect: archive((r) => r.continuous) });
  new Gauge({ name: 'ordinal_backup_unrestorable', help: 'backups whose verification could not restore them', labelNames, registers: [registry], collect: series((r) => r.unrestorable) });
  new Gauge({ name: 'ordinal_backup_failed', help: 'backups that failed (MySQLBackup objects in phase Failed; in the sandbox, scheduled runs since the supervisor started)', labelNames, registers: [registry], collect: series((r) => r.failed) });
}
