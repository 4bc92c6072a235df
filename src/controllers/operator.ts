// The operator process: caches of MySQLClusters, their pods and StatefulSets, a work queue of
// cluster keys, and (only while leading) the reconciler and one HA loop per cluster.
// Losing the Lease stops every loop at once; MariaDB pods never notice an operator restart.
import { hostname } from 'node:os';
import pino from 'pino';
import { Counter, Gauge } from 'prom-client';
import { Applier } from '../kube/apply.js';
import { loadKubeConfig } from '../kube/client.js';
import { Discovery } from '../kube/discovery.js';
import { EventRecorder } from '../kube/events.js';
import { metricsRegistry, startHealthServer, syncedOrStandby } from '../kube/health.js';
import { Informer, withoutManagedFields } from '../kube/informer.js';
import { LeaderElector } from '../kube/leader.js';
import { WorkQueue } from '../kube/queue.js';
import { objectKey, type KubeObject } from '../kube/types.js';
import { API_VERSION, CLUSTER_API } from '../api/cluster.js';
import { BACKUP_KIND } from '../api/backup.js';
import { SCHEDULE_KIND } from '../api/schedule.js';
import { RESTORE_KIND } from '../api/restore.js';
import { BACKUP_LABEL, RESTORE_LABEL } from '../builders/backup-job.js';
import { CLUSTER_LABEL } from '../builders/names.js';
import { BackupController, type Backup } from './backup.js';
import { archiveSeries, backupSeries, registerBackupMetrics } from './backup-metrics.js';
import { registerClusterMetrics } from './cluster-metrics.js';
import { ClusterController } from './cluster.js';
import { RESTORED_FROM, RestoreController, type Restore } from './restore.js';
import { SCHEDULE_LABEL, ScheduleController, type Schedule } from './schedule.js';
import { clusterTrigger } from './triggers.js';

export interface OperatorOptions {
  kubeconfig?: string;
  /** Watch one namespace; all when unset. */
  namespace?: string;
  image: string;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  identity?: string;
  healthPort: number;
  tickMs?: number;
}

export async function runOperator(opts: OperatorOptions): Promise<void> {
  const log = pino({ base: { component: 'operator' } });
  const kc = loadKubeConfig({ kubeconfig: opts.kubeconfig });
  const discovery = new Discovery(kc);
  // Every write and every HA step asks this first: once the Lease is lost (by this process's
  // own clock, even before the deadline timer had its turn) nothing more is done.
  let elector: LeaderElector | undefined;
  const mayAct = () => !opts.leaderElect || (elector?.holds() ?? false);
  const applier = new Applier(kc, discovery, { mayWrite: mayAct });
  const identity = opts.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const events = new EventRecorder(kc, { component: 'ordinal-operator', instance: identity, mayWrite: mayAct, onError: (m) => log.warn({ err: m }, 'event not recorded') });
  const onError = (what: string) => (err: unknown) => log.warn({ err: (err as Error).message ?? String(err) }, `${what} watch failed; retrying`);
  const managed = 'app.kubernetes.io/managed-by=ordinal';
  const clusters = new Informer(kc, discovery, { ...CLUSTER_API, namespace: opts.namespace, onError: onError('MySQLCluster') });
  const pods = new Informer(kc, discovery, { apiVersion: 'v1', kind: 'Pod', namespace: opts.namespace, labelSelector: managed, onError: onError('Pod') });
  // Of a StatefulSet only its status (revisions) is read: the pod template, the biggest part,
  // is not kept (500 clusters' worth is tens of MB).
  const statefulSets = new Informer(kc, discovery, {
    apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: opts.namespace, labelSelector: managed, onError: onError('StatefulSet'),
    keep: (sts) => ({ apiVersion: sts.apiVersion, kind: sts.kind, metadata: withoutManagedFields(sts).metadata, status: sts.status }),
  });
  // Claims carry the template's labels; from the cache, the HA loop asks which instances have a volume every tick for free.
  const claims = new Informer(kc, discovery, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: opts.namespace, labelSelector: managed, onError: onError('PersistentVolumeClaim') });
  const backups = new Informer<Backup>(kc, discovery, { apiVersion: API_VERSION, kind: BACKUP_KIND, namespace: opts.namespace, onError: onError('MySQLBackup') });
  const jobs = new Informer(kc, discovery, { apiVersion: 'batch/v1', kind: 'Job', namespace: opts.namespace, labelSelector: managed, onError: onError('Job') });
  const schedules = new Informer<Schedule>(kc, discovery, { apiVersion: API_VERSION, kind: SCHEDULE_KIND, namespace: opts.namespace, onError: onError('MySQLBackupSchedule') });
  const restores = new Informer<Restore>(kc, discovery, { apiVersion: API_VERSION, kind: RESTORE_KIND, namespace: opts.namespace, onError: onError('MySQLRestore') });
  // The clusters' HA never waits for the backup kinds (a CRD missing after a partial upgrade).
  const core = [clusters, pods, statefulSets, claims];
  const backupKinds = [backups, jobs, schedules, restores];
  const informers = [...core, ...backupKinds];

  const reconciles = new Counter({ name: 'ordinal_reconciles_total', help: 'MySQLCluster reconciles', labelNames: ['result'], registers: [metricsRegistry] });
  const leading = new Gauge({ name: 'ordinal_leader', help: '1 while this operator process holds the Lease', registers: [metricsRegistry] });
  const controller = new ClusterController({ applier, discovery, events, clusters, pods, statefulSets, claims, log, image: opts.image, tickMs: opts.tickMs, mayAct, enqueue: (key) => queue.add(key) });
  const queue = new WorkQueue(async (key) => {
    if (!mayAct()) return; // queued before the Lease was lost
    try {
      const r = await controller.reconcile(key);
      reconciles.inc({ result: 'ok' });
      return r;
    } catch (err) {
      reconciles.inc({ result: 'error' });
      throw err;
    }
  }, { onError: (key, err, retryInMs) => log.warn({ cluster: key, err: (err as Error).message, retryInMs }, 'reconcile failed') });

  registerBackupMetrics(metricsRegistry, () => backupSeries(backups.list()), () => archiveSeries(clusters.list()));
  registerClusterMetrics(metricsRegistry, () => clusters.list());
  const backupController = new BackupController({ applier, events, backups, clusters, jobs, pods, image: opts.image, log });
  const backupQueue = new WorkQueue(async (key) => {
    if (!mayAct()) return;
    return backupController.reconcile(key);
  }, { onError: (key, err, retryInMs) => log.warn({ backup: key, err: (err as Error).message, retryInMs }, 'backup reconcile failed') });
  const scheduleController = new ScheduleController({ applier, events, schedules, backups, log });
  const scheduleQueue = new WorkQueue(async (key) => {
    if (!mayAct()) return;
    return scheduleController.reconcile(key);
  }, { onError: (key, err, retryInMs) => log.warn({ schedule: key, err: (err as Error).message, retryInMs }, 'schedule reconcile failed') });
  const restoreController = new RestoreController({ applier, events, restores, backups, clusters, jobs, pods, image: opts.image, log });
  const restoreQueue = new WorkQueue(async (key) => {
    if (!mayAct()) return;
    return restoreController.reconcile(key);
  }, { onError: (key, err, retryInMs) => log.warn({ restore: key, err: (err as Error).message, retryInMs }, 'restore reconcile failed') });
  const queues = [queue, backupQueue, scheduleQueue, restoreQueue];
  restores.onChange((key) => restoreQueue.add(key));
  const restoreOf = (o: KubeObject) => {
    const name = o.metadata?.labels?.[RESTORE_LABEL] ?? o.metadata?.annotations?.[RESTORED_FROM];
    return name ? objectKey(o.metadata!.namespace, name) : undefined;
  };
  schedules.onChange((key) => scheduleQueue.add(key));
  backups.onChange((key, b) => {
    backupQueue.add(key);
    // A schedule counts its backups' phases: it skips a run while one is unfinished.
    const schedule = b.metadata?.labels?.[SCHEDULE_LABEL];
    if (schedule) scheduleQueue.add(objectKey(b.metadata!.namespace, schedule));
  });
  const backupOf = (o: KubeObject) => {
    const name = o.metadata?.labels?.[BACKUP_LABEL];
    return name ? objectKey(o.metadata!.namespace, name) : undefined;
  };
  jobs.onChange((_key, job) => {
    const backup = backupOf(job);
    if (backup) backupQueue.add(backup);
    const restore = restoreOf(job);
    if (restore) restoreQueue.add(restore);
  });

  // Watch events only enqueue the owning cluster's key; a cluster's own status writes do not.
  const triggers = new Map<string, string>();
  clusters.onChange((key, c) => {
    // A restored cluster's readiness completes its restore.
    const restore = restoreOf(c);
    if (restore) restoreQueue.add(restore);
    const now = clusterTrigger(clusters.get(key));
    if (now !== '' && triggers.get(key) === now) return;
    if (now === '') triggers.delete(key);
    else triggers.set(key, now);
    queue.add(key);
  });
  // A deleted object is passed as last seen, so its cluster still hears of it.
  const owner = (o: KubeObject) => {
    const name = o.metadata?.labels?.[CLUSTER_LABEL];
    return name ? objectKey(o.metadata!.namespace, name) : undefined;
  };
  pods.onChange((_key, pod) => {
    // A Job's pod: its termination message holds the outcome.
    const backup = backupOf(pod);
    if (backup) return backupQueue.add(backup);
    const restore = restoreOf(pod);
    if (restore) return restoreQueue.add(restore);
    const cluster = owner(pod);
    if (!cluster) return;
    controller.podChanged(cluster);
    queue.add(cluster);
  });
  statefulSets.onChange((_key, sts) => {
    const cluster = owner(sts);
    if (cluster) queue.add(cluster);
  });
  for (const i of informers) i.start();

  const lead = async (signal: AbortSignal) => {
    leading.set(1);
    log.info({ identity }, 'leading');
    await Promise.all(core.map((i) => i.synced()));
    queue.start();
    for (const c of clusters.list()) queue.add(objectKey(c.metadata?.namespace, c.metadata!.name!));
    void Promise.all(backupKinds.map((i) => i.synced())).then(() => {
      if (signal.aborted) return;
      for (const q of [backupQueue, scheduleQueue, restoreQueue]) q.start();
      for (const b of backups.list()) backupQueue.add(objectKey(b.metadata?.namespace, b.metadata!.name!));
      for (const x of schedules.list()) scheduleQueue.add(objectKey(x.metadata?.namespace, x.metadata!.name!));
      for (const r of restores.list()) restoreQueue.add(objectKey(r.metadata?.namespace, r.metadata!.name!));
    }, () => {});
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    // At once, not at shutdown: the gates already refuse every act; this ends the work too.
    leading.set(0);
    await Promise.all([...queues.map((q) => q.stop()), controller.stop()]);
  };
  const health = await startHealthServer({
    port: opts.healthPort,
    ready: syncedOrStandby(core, opts.leaderElect ? { isLeader: () => elector?.isLeader() ?? false } : undefined),
  });
  log.info({ identity, healthPort: health.port, namespace: opts.namespace ?? '(all)', image: opts.image }, 'operator started');

  let stopping = false;
  const shutdown = async (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'operator stopping');
    leading.set(0);
    // Loops stop between steps; an operation in progress is resumed by the next leader.
    await Promise.race([Promise.all([...queues.map((q) => q.stop()), controller.stop()]), new Promise((r) => setTimeout(r, 10_000).unref())]);
    await elector?.stop({ release: code === 0 });
    for (const i of informers) await i.stop();
    await health.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  process.on('SIGINT', () => void shutdown(0, 'SIGINT'));

  if (!opts.leaderElect) {
    void lead(new AbortController().signal);
    return;
  }
  elector = new LeaderElector(kc, {
    name: opts.leaseName,
    namespace: opts.leaseNamespace,
    identity,
    onStartedLeading: lead,
    // Never two leaders acting: a process that lost the Lease exits and starts again as standby.
    onStoppedLeading: () => void shutdown(1, 'lost the leader Lease'),
    onNewLeader: (who) => log.info({ leader: who ?? '(none)' }, 'leader changed'),
    onError: (err) => log.warn({ err: (err as Error).message ?? String(err) }, 'leader election error'),
  });
  elector.start();
}
