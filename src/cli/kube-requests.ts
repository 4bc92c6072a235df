// What the command line asks of a MySQLCluster on Kubernetes (`ordinal switchover|rebuild` and
// `kubectl ordinal ...`): which cluster and namespace, its status, a switchover through
// spec.primaryOrdinal (refused with the reason before anything changes), a rebuild through
// the annotation. Exit codes a script can rely on are in CliError.
import type { KubeConfig } from '@kubernetes/client-node';
import { BACKUP_KIND } from '../api/backup.js';
import { CLUSTER_API, REBUILD_ANNOTATION } from '../api/cluster.js';
import { RESTORE_KIND, validateRestore } from '../api/restore.js';
import { isNotFound, loadKubeConfig, statusCode } from '../kube/client.js';
import { kubeRequest } from '../kube/request.js';
import { rebuildRefusal, switchoverTarget, type ClusterView } from '../views/cluster-view.js';

/** 1: refused or failed; 2: bad usage; 3: no such cluster; 4: the API server refused us (RBAC). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 | 3 | 4 = 1) {
    super(message);
  }
}

export interface KubeTarget {
  kc: KubeConfig;
  namespace: string;
}

/** Like kubectl: --kubeconfig, else KUBECONFIG, else ~/.kube/config; --context; -n, else the context's namespace, else default. */
export function kubeTarget(o: { kubeconfig?: string; context?: string; namespace?: string }): KubeTarget {
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig({ kubeconfig: o.kubeconfig });
  } catch (err) {
    throw new CliError(`${o.kubeconfig ? `--kubeconfig ${o.kubeconfig}` : 'the kubeconfig'}: ${(err as Error).message}`, 2);
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) throw new CliError(`--context: no context "${o.context}" in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ')})`, 2);
    kc.setCurrentContext(o.context);
  }
  const namespace = o.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  return { kc, namespace };
}

/** The path of a kind's collection in the target namespace (plural: mysqlclusters, mysqlbackups, ...). */
export const kindPath = (t: KubeTarget, plural: string) => `/apis/${CLUSTER_API.apiVersion}/namespaces/${t.namespace}/${plural}`;
const clusterPath = (t: KubeTarget, name: string) => `${kindPath(t, 'mysqlclusters')}/${name}`;

interface ClusterObject {
  metadata: { name: string; namespace: string };
  spec?: { mode?: string };
  status?: ClusterView['status'];
}

export async function getCluster(t: KubeTarget, name: string): Promise<ClusterView> {
  try {
    const object = await kubeRequest<ClusterObject>(t.kc, { method: 'GET', path: clusterPath(t, name) });
    return { name, namespace: t.namespace, mode: object.spec?.mode, status: object.status };
  } catch (err) {
    throw asCliError(err, name, t);
  }
}

/** Switch over to `to` (or the best ready replica) and wait until the status shows it; the instance it went to. */
export async function requestSwitchover(t: KubeTarget, name: string, to: number | undefined, timeoutSeconds: number): Promise<number> {
  const target = await startSwitchover(t, name, to);
  await waitForPrimary(t, name, target, timeoutSeconds);
  return target;
}

/** The refusal, or spec.primaryOrdinal set: the operator does the rest. */
export async function startSwitchover(t: KubeTarget, name: string, to: number | undefined): Promise<number> {
  const target = switchoverTarget(await getCluster(t, name), to);
  if (!target.ok) throw new CliError(`switchover refused: ${target.why}`);
  await patch(t, name, { spec: { primaryOrdinal: target.ordinal } });
  return target.ordinal;
}

export async function waitForPrimary(t: KubeTarget, name: string, ordinal: number, timeoutSeconds: number): Promise<void> {
  await poll(timeoutSeconds, 500, async () => {
    const c = await getCluster(t, name);
    return c.status?.primary === ordinal ? { done: true } : { late: `instance ${ordinal} is not the primary after ${timeoutSeconds} s: ${c.status?.message || 'no message in the status'}` };
  });
}

/** Asks `probe` every `intervalMs` until it is done (or throws); after the deadline fails with its last word. */
async function poll<T>(timeoutSeconds: number, intervalMs: number, probe: () => Promise<{ done: T } | { late: string }>): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const r = await probe();
    if ('done' in r) return r.done;
    if (Date.now() > deadline) throw new CliError(r.late);
    await new Promise((res) => setTimeout(res, intervalMs));
  }
}

/** Ask for a rebuild (the annotation); the operator clears it when done. */
export async function requestRebuild(t: KubeTarget, name: string, ordinal: number): Promise<void> {
  const why = rebuildRefusal(await getCluster(t, name), ordinal);
  if (why) throw new CliError(`rebuild refused: ${why}`);
  await patch(t, name, { metadata: { annotations: { [REBUILD_ANNOTATION]: String(ordinal) } } });
}

async function patch(t: KubeTarget, name: string, body: unknown): Promise<void> {
  try {
    await kubeRequest(t.kc, { method: 'PATCH', path: clusterPath(t, name), body, contentType: 'application/merge-patch+json' });
  } catch (err) {
    throw asCliError(err, name, t);
  }
}

interface BackupObject {
  metadata: { name: string; creationTimestamp?: string };
  spec: { clusterName: string; method?: string } & Record<string, unknown>;
  status?: { phase?: string; completionTime?: string; backupId?: string; gtid?: string; bytes?: number; message?: string; verified?: { ok?: boolean } };
}

interface ScheduleObject {
  metadata: { name: string };
  spec: { clusterName: string; schedule: string; suspend?: boolean; backupTemplate: Record<string, unknown> };
  status?: { lastScheduleTime?: string; nextScheduleTime?: string };
}

export async function listKind<T>(t: KubeTarget, plural: string): Promise<T[]> {
  try {
    return (await kubeRequest<{ items: T[] }>(t.kc, { method: 'GET', path: kindPath(t, plural) })).items;
  } catch (err) {
    throw asCliError(err, plural, t, 'the kind');
  }
}

export const backupsOf = async (t: KubeTarget, cluster: string) => (await listKind<BackupObject>(t, 'mysqlbackups')).filter((b) => b.spec.clusterName === cluster);
export const schedulesOf = async (t: KubeTarget, cluster: string) => (await listKind<ScheduleObject>(t, 'mysqlbackupschedules')).filter((s) => s.spec.clusterName === cluster);
export type { BackupObject, ScheduleObject };

/**
 * A MySQLBackup now, with the settings of the cluster's MySQLBackupSchedule (named, or its
 * only one): like `kubectl create job --from=cronjob/...`. The new backup's name.
 */
export async function createBackup(t: KubeTarget, name: string, schedule?: string): Promise<string> {
  await getCluster(t, name);
  const schedules = await schedulesOf(t, name);
  const from = schedule ? schedules.find((s) => s.metadata.name === schedule) : schedules.length === 1 ? schedules[0] : undefined;
  if (!from) {
    throw new CliError(schedule
      ? `--from-schedule: no MySQLBackupSchedule ${t.namespace}/${schedule} for cluster ${name} (schedules: ${schedules.map((s) => s.metadata.name).join(', ') || 'none'})`
      : schedules.length
        ? `cluster ${name} has ${schedules.length} MySQLBackupSchedules; name one with --from-schedule (${schedules.map((s) => s.metadata.name).join(', ')})`
        : `cluster ${name} has no MySQLBackupSchedule to take the storage and method from; create a MySQLBackup (kubectl apply) instead`, schedule ? 3 : 2);
  }
  const backupName = `${name}-now-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase()}`;
  const body = { apiVersion: CLUSTER_API.apiVersion, kind: BACKUP_KIND, metadata: { name: backupName, labels: { 'ordinal.dev/requested-by': 'kubectl-ordinal' } }, spec: { ...from.spec.backupTemplate, clusterName: name } };
  try {
    await kubeRequest(t.kc, { method: 'POST', path: kindPath(t, 'mysqlbackups'), body });
  } catch (err) {
    throw asCliError(err, backupName, t, 'MySQLBackup');
  }
  return backupName;
}

export async function waitForBackup(t: KubeTarget, backupName: string, timeoutSeconds: number): Promise<BackupObject> {
  return poll<BackupObject>(timeoutSeconds, 1000, async () => {
    const b = await kubeRequest<BackupObject>(t.kc, { method: 'GET', path: `${kindPath(t, 'mysqlbackups')}/${backupName}` }).catch((err) => { throw asCliError(err, backupName, t, 'MySQLBackup'); });
    if (b.status?.phase === 'Failed') throw new CliError(`backup ${backupName} failed: ${b.status.message ?? 'no message'}`);
    return b.status?.phase === 'Completed' ? { done: b } : { late: `backup ${backupName} is not done after ${timeoutSeconds} s (phase ${b.status?.phase ?? 'none yet'})` };
  });
}

export interface RestoreAsk {
  as: string;
  /** A MySQLBackup's name; default: the cluster's newest completed one. */
  backup?: string;
  pointInTime?: string;
}

/** A MySQLRestore that creates the new cluster `as`; refused before anything is created when it cannot work. */
export async function createRestore(t: KubeTarget, name: string, r: RestoreAsk): Promise<{ restore: string; backup: string }> {
  const restore = `${r.as}-restore`;
  const doc = (backupName: string) => ({ apiVersion: CLUSTER_API.apiVersion, kind: RESTORE_KIND, metadata: { name: restore }, spec: { clusterName: r.as, backupName, ...(r.pointInTime ? { pointInTime: r.pointInTime } : {}) } });
  // The resource's own validation, with the errors named by the flags that set the fields.
  const valid = validateRestore(doc(r.backup ?? 'newest'));
  if (!valid.ok) {
    const flag: Record<string, string> = { 'spec.clusterName': '--as', 'metadata.name': '--as', 'spec.pointInTime': '--point-in-time', 'spec.backupName': '--backup' };
    throw new CliError(valid.errors.map((e) => `${flag[e.path] ?? e.path}: ${e.message}`).join('; '), 2);
  }
  const exists = await getCluster(t, r.as).then(() => true, (err) => (err instanceof CliError && err.exitCode === 3 ? false : Promise.reject(err)));
  if (exists) throw new CliError(`--as: a MySQLCluster ${t.namespace}/${r.as} exists; a restore creates a new cluster, so choose another name`);
  const done = (await backupsOf(t, name)).filter((b) => b.status?.phase === 'Completed').sort((a, b) => (b.status?.completionTime ?? '').localeCompare(a.status?.completionTime ?? ''));
  const backup = r.backup ? done.find((b) => b.metadata.name === r.backup) : done[0];
  if (!backup) throw new CliError(r.backup ? `--backup: no completed MySQLBackup ${t.namespace}/${r.backup} of cluster ${name} (completed: ${done.map((b) => b.metadata.name).join(', ') || 'none'})` : `cluster ${name} has no completed MySQLBackup to restore`);
  try {
    await kubeRequest(t.kc, { method: 'POST', path: kindPath(t, 'mysqlrestores'), body: doc(backup.metadata.name) });
  } catch (err) {
    throw asCliError(err, restore, t, 'MySQLRestore');
  }
  return { restore, backup: backup.metadata.name };
}

export async function waitForRestore(t: KubeTarget, restore: string, timeoutSeconds: number): Promise<void> {
  await poll(timeoutSeconds, 2000, async () => {
    const r = await kubeRequest<{ status?: { phase?: string; message?: string } }>(t.kc, { method: 'GET', path: `${kindPath(t, 'mysqlrestores')}/${restore}` }).catch((err) => { throw asCliError(err, restore, t, 'MySQLRestore'); });
    if (r.status?.phase === 'Failed') throw new CliError(`restore ${restore} failed: ${r.status.message ?? 'no message'}`);
    return r.status?.phase === 'Completed' ? { done: undefined } : { late: `restore ${restore} is not done after ${timeoutSeconds} s (phase ${r.status?.phase ?? 'none yet'})` };
  });
}

function asCliError(err: unknown, name: string, t: KubeTarget, kind = 'MySQLCluster'): Error {
  if (isNotFound(err)) return new CliError(`${kind} ${t.namespace}/${name} not found${kind === 'MySQLCluster' ? '' : ' (is the CRD installed?)'}`, 3);
  const code = statusCode(err);
  if (code === 401 || code === 403) return new CliError(`the API server refused: ${(err as Error).message}`, 4);
  return err as Error;
}
