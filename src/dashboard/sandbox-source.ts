// The dashboard over this machine's sandbox clusters: their supervisors' status and the same
// operations as `ordinal local switchover|rebuild|backup|restore`, as the person running it.
import { loadClusterFile } from '../api/load.js';
import { parseLocation, type Location } from '../backup/location.js';
import { replayTarget } from '../backup/restore-data.js';
import { storedBytes } from '../backup/manifest.js';
import { localBackups, scheduledBackupNow } from '../sandbox/backup.js';
import { existingCluster, listClusters } from '../sandbox/clusters.js';
import { rebuild, switchover } from '../sandbox/operations.js';
import { localRestore } from '../sandbox/restore.js';
import { clusterStatus } from '../sandbox/status.js';
import { waitHealthy } from '../sandbox/wait.js';
import { rebuildRefusal, switchoverTarget } from '../views/cluster-view.js';
import { fromLocalStatus, type DashboardCluster } from './model.js';
import { Refused, type BackupEntry, type DashboardSource, type RestoreRequest, type Started } from './source.js';

export class SandboxSource implements DashboardSource {
  readonly where = 'sandbox';

  async clusters(): Promise<DashboardCluster[]> {
    const all = await Promise.all(
      listClusters().map(async (c) => {
        try {
          return fromLocalStatus(await clusterStatus(c.name));
        } catch {
          return undefined; // removed, or its supervisor stopping, between the listing and the status
        }
      }),
    );
    return all.filter((c): c is DashboardCluster => c !== undefined).sort((a, b) => a.view.name.localeCompare(b.view.name));
  }

  async backups(name: string): Promise<BackupEntry[]> {
    const from = this.backupLocation(name);
    if (!from) return [];
    const { backups } = await localBackups(from, name);
    return backups
      .map((m) => ({ id: m.id, at: m.endTime, method: m.method, gtid: m.gtid, bytes: storedBytes(m), verified: m.verification?.ok }))
      .sort((a, b) => b.at.localeCompare(a.at));
  }

  async switchover(name: string, to: number): Promise<Started> {
    const target = switchoverTarget(await this.view(name), to);
    if (!target.ok) throw new Refused(`switchover refused: ${target.why}`);
    return {
      message: `switching over to instance ${to}`,
      done: switchover(name, to).then((r) => `instance ${r.primary} is the primary (${r.seconds.toFixed(1)} s)`),
    };
  }

  async rebuild(name: string, ordinal: number): Promise<Started> {
    const why = rebuildRefusal(await this.view(name), ordinal);
    if (why) throw new Refused(`rebuild refused: ${why}`);
    return { message: `rebuilding instance ${ordinal} from a fresh copy`, done: rebuild(name, ordinal).then(() => `instance ${ordinal} is being copied again`) };
  }

  async backup(name: string): Promise<Started> {
    const c = await this.view(name);
    if (c.mode === 'galera') throw new Refused('backup refused: backups of Galera clusters are not supported yet');
    if (!this.backupLocation(name)) throw new Refused('backup refused: the cluster has no spec.backupSchedule; the dashboard takes backups with its settings (or use ordinal local backup NAME --to LOCATION)');
    return {
      message: 'taking a backup with spec.backupSchedule\'s settings',
      done: scheduledBackupNow(name).then((s) => `backup ${s.lastRun?.id} done in ${s.lastRun?.seconds.toFixed(1)} s${s.lastRun?.verified ? ', verified' : ''}`),
    };
  }

  async restore(name: string, r: RestoreRequest): Promise<Started> {
    const from = this.backupLocation(name);
    if (!from) throw new Refused('restore refused: the cluster has no spec.backupSchedule, so the dashboard does not know where its backups are (use ordinal local restore --from LOCATION)');
    let target;
    try {
      target = replayTarget(r.pointInTime || undefined, undefined, { time: 'point in time', gtid: 'gtid' });
    } catch (err) {
      throw new Refused(`restore refused: ${(err as Error).message}`);
    }
    // localRestore refuses (a bad or used name, no such backup, a time the archive does not
    // cover) before it creates anything; what it refuses at once is the page's refusal.
    const restoring = localRestore({ from, as: r.as, backup: r.backup ? `${name}/${r.backup}` : undefined, target });
    const first = await Promise.race([restoring.then(() => undefined, (err: Error) => err), new Promise((ok) => setTimeout(ok, 1500, undefined))]);
    if (first instanceof Error) throw new Refused(`restore refused: ${first.message}`);
    return {
      message: `restoring ${r.backup ? `backup ${r.backup}` : 'the newest backup'}${r.pointInTime ? ` up to ${r.pointInTime}` : ''} into a new cluster ${r.as}`,
      done: restoring.then(async (x) => {
        await waitHealthy(x, 600, () => {});
        return `cluster ${r.as} restored at GTID ${x.gtid || '(empty)'} and running`;
      }),
    };
  }

  private async view(name: string) {
    try {
      return fromLocalStatus(await clusterStatus(name)).view;
    } catch (err) {
      throw new Refused((err as Error).message);
    }
  }

  private backupLocation(name: string): Location | undefined {
    const spec = loadClusterFile(existingCluster(name).spec).spec;
    return spec.backupSchedule ? parseLocation(spec.backupSchedule.location, 'spec.backupSchedule.location') : undefined;
  }
}
