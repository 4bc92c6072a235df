// The dashboard over the MySQLClusters of one namespace, with the person's own kubeconfig: RBAC
// decides what they may see and do, and the operator needs nothing new. The actions are the
// plugin's (kubectl ordinal switchover|rebuild|backup|restore).
import { kubeRequest } from '../kube/request.js';
import {
  backupsOf,
  CliError,
  createBackup,
  createRestore,
  listKind,
  requestRebuild,
  schedulesOf,
  startSwitchover,
  waitForBackup,
  waitForPrimary,
  waitForRestore,
  type KubeTarget,
} from '../cli/kube-requests.js';
import type { ClusterView } from '../views/cluster-view.js';
import { fromKubeCluster, type DashboardCluster, type KubeClusterInput } from './model.js';
import { Refused, type BackupEntry, type DashboardSource, type RestoreRequest, type Started } from './source.js';

interface ClusterObject {
  metadata: { name: string; namespace: string };
  spec?: { mode?: string };
  status?: ClusterView['status'] & { pitr?: { location?: string; lastRecoverableTime?: string; continuous?: boolean; error?: string } };
}

export class KubeSource implements DashboardSource {
  readonly where: string;

  constructor(private readonly t: KubeTarget) {
    this.where = `${t.kc.getCurrentContext()} / ${t.namespace}`;
  }

  async clusters(): Promise<DashboardCluster[]> {
    const [clusters, events, backups, schedules] = await Promise.all([
      listKind<ClusterObject>(this.t, 'mysqlclusters'),
      kubeRequest<{ items: Array<KubeClusterInput['events'][number] & { involvedObject?: { kind?: string; name?: string } }> }>(this.t.kc, {
        method: 'GET',
        path: `/api/v1/namespaces/${this.t.namespace}/events`,
        query: { fieldSelector: 'involvedObject.kind=MySQLCluster' },
      }).then((r) => r.items, () => []), // no right to read Events: the page shows none
      listKind<KubeClusterInput['backups'][number] & { spec: { clusterName: string } }>(this.t, 'mysqlbackups').catch(() => []),
      listKind<KubeClusterInput['schedules'][number] & { spec: { clusterName: string } }>(this.t, 'mysqlbackupschedules').catch(() => []),
    ]);
    return clusters
      .map((c) => {
        const name = c.metadata.name;
        const { pitr, ...status } = c.status ?? {};
        return fromKubeCluster({
          view: { name, namespace: c.metadata.namespace, mode: c.spec?.mode, status },
          events: events.filter((e) => e.involvedObject?.name === name),
          backups: backups.filter((b) => b.spec.clusterName === name),
          schedules: schedules.filter((s) => s.spec.clusterName === name),
          ...(pitr ? { pitr } : {}),
        });
      })
      .sort((a, b) => a.view.name.localeCompare(b.view.name));
  }

  async backups(name: string): Promise<BackupEntry[]> {
    return (await backupsOf(this.t, name))
      .filter((b) => b.status?.phase === 'Completed')
      .map((b) => ({ id: b.metadata.name, at: b.status?.completionTime ?? '', method: String(b.spec.method ?? ''), gtid: b.status?.gtid, bytes: b.status?.bytes, verified: b.status?.verified?.ok }))
      .sort((a, b) => b.at.localeCompare(a.at));
  }

  async switchover(name: string, to: number): Promise<Started> {
    const target = await refusedAs(startSwitchover(this.t, name, to));
    return { message: `spec.primaryOrdinal set to ${target}`, done: waitForPrimary(this.t, name, target, 300).then(() => `instance ${target} is the primary`) };
  }

  async rebuild(name: string, ordinal: number): Promise<Started> {
    await refusedAs(requestRebuild(this.t, name, ordinal));
    return { message: `rebuild of instance ${ordinal} requested (annotation)`, done: Promise.resolve(`the operator rebuilds instance ${ordinal}`) };
  }

  async backup(name: string): Promise<Started> {
    if ((await schedulesOf(this.t, name)).length > 1) throw new Refused(`backup refused: cluster ${name} has several MySQLBackupSchedules; use kubectl ordinal backup ${name} --from-schedule NAME`);
    const backup = await refusedAs(createBackup(this.t, name));
    return { message: `MySQLBackup ${backup} created`, done: waitForBackup(this.t, backup, 3 * 3600).then((b) => `backup ${backup} done at GTID ${b.status?.gtid ?? '?'}`) };
  }

  async restore(name: string, r: RestoreRequest): Promise<Started> {
    const made = await refusedAs(createRestore(this.t, name, r));
    return { message: `MySQLRestore ${made.restore} created from ${made.backup}`, done: waitForRestore(this.t, made.restore, 3 * 3600).then(() => `cluster ${r.as} restored`) };
  }
}

/** The plugin's refusals and API errors become the page's refusals (the reason, nothing changed). */
async function refusedAs<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof CliError) throw new Refused(err.message);
    throw err;
  }
}
