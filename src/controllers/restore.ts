// The MySQLRestore controller: resolves the backup (a MySQLBackup by name, or storage and
// path), creates the new cluster's Secret and first claim and the restore Job that fills the
// claim, then the MySQLCluster itself; Completed once all its instances are ready. A restore
// that fails before the cluster exists removes the claim and Secret it created.
import { API_VERSION, CLUSTER_KIND, type ClusterSpec, type MySQLCluster } from '../api/cluster.js';
import { RESTORE_KIND, validateRestore, type MySQLRestore } from '../api/restore.js';
import { validateCluster } from '../api/validate.js';
import type { BackupStorage } from '../api/storage.js';
import { jobName, RESTORE_LABEL, restoreJob } from '../builders/backup-job.js';
import { commonLabels, namesOf } from '../builders/names.js';
import type { Condition } from '../kube/conditions.js';
import type { Informer } from '../kube/informer.js';
import type { HandlerResult } from '../kube/queue.js';
import { objectKey, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { RestoreJobRequest, RestoreJobResult } from '../platform/kube/restore-job.js';
import type { BackupControllerDeps } from './backup.js';
import { jobOutcome } from './job-outcome.js';
import { restoreStep, type BackupRef, type RestorePhase, type RestoreView } from './restore-step.js';
import { ensureSecret } from './secrets.js';
import { ownRef, writeOwnStatus } from './own-status.js';

export const RESTORED_FROM = 'ordinal.dev/restored-from';
const WAIT_MS = 10_000;

export interface RestoreStatus {
  phase: RestorePhase;
  conditions?: Condition[];
  observedGeneration?: number;
  backup?: string;
  gtid?: string;
  startTime?: string;
  completionTime?: string;
  message?: string;
}

export type Restore = MySQLRestore & KubeObject & { status?: RestoreStatus };
type Cluster = MySQLCluster & KubeObject & { status?: { phase?: string; ready?: string; replicas?: number } };

/** What the backup controller uses, and the restores. */
export interface RestoreControllerDeps extends BackupControllerDeps {
  restores: Informer<Restore>;
}

export class RestoreController {
  /** New cluster → the restore of this process that is creating it. */
  private readonly creating = new Map<string, string>();

  constructor(private readonly deps: RestoreControllerDeps) {}

  async reconcile(key: string): Promise<HandlerResult> {
    const r = this.deps.restores.get(key);
    if (!r || r.metadata?.deletionTimestamp) return;
    const ref = ownRef(RESTORE_KIND, r);
    const { namespace, name } = ref;
    const validated = validateRestore(r);
    const spec = validated.ok ? validated.value.spec : r.spec;
    const target = this.deps.clusters.get(objectKey(namespace, spec.clusterName)) as Cluster | undefined;
    const source = this.resolve(namespace, spec);
    const job = await jobOutcome<RestoreJobResult>(this.deps, namespace, jobName(name, 'restore'), r.status?.phase === 'Restoring');
    const view: RestoreView = {
      phase: r.status?.phase,
      specErrors: validated.ok ? [] : validated.errors,
      backup: source.ref,
      missing: source.missing,
      cluster: !target ? { state: 'none' }
        : target.metadata?.annotations?.[RESTORED_FROM] !== name ? { state: 'foreign' }
        : { state: 'ours', ready: target.status?.phase === 'Running' && target.status.ready === `${target.spec.replicas}/${target.spec.replicas}`, readyText: target.status?.ready },
      job,
    };
    const step = restoreStep(view);
    const now = new Date();
    switch (step.kind) {
      case 'none':
        return;
      case 'wait':
        await this.write(r, ref, { phase: step.phase, message: step.message }, { status: 'False', reason: step.reason, message: step.message }, now);
        return { requeueAfterMs: WAIT_MS };
      case 'fail':
        if (step.cleanUp) await this.cleanUp(namespace, spec.clusterName, name);
        await this.write(r, ref, { phase: 'Failed', message: step.message, completionTime: now.toISOString() }, { status: 'False', reason: step.reason, message: step.message }, now);
        void this.deps.events.warning(ref, step.reason, step.message);
        return;
      case 'start': {
        // Another restore to the same name, seen by this process or by the claim it made.
        const target = objectKey(namespace, spec.clusterName);
        const claim = await this.deps.applier.get<KubeObject>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: namesOf(spec.clusterName, namespace).pvc(0) });
        const mine = this.creating.get(target);
        const other = mine !== undefined ? this.deps.restores.get(objectKey(namespace, mine)) : undefined;
        const mineRuns = !!other && !['Completed', 'Failed'].includes(other.status?.phase ?? '');
        const rival = [mineRuns ? mine : undefined, claim ? claim.metadata?.labels?.[RESTORE_LABEL] ?? '(none: an existing claim)' : undefined].find((x) => x !== undefined && x !== name);
        if (rival) {
          const message = `spec.clusterName: ${rival.startsWith('(') ? `the claim ${namesOf(spec.clusterName, namespace).pvc(0)} exists already` : `restore ${rival} is creating that cluster`}; choose another name`;
          await this.write(r, ref, { phase: 'Failed', message, completionTime: now.toISOString() }, { status: 'False', reason: 'ClusterExists', message }, now);
          void this.deps.events.warning(ref, 'ClusterExists', message);
          return;
        }
        this.creating.set(target, name);
        const request: RestoreJobRequest = {
          action: 'restore',
          cluster: spec.clusterName,
          storage: source.storage!,
          folder: source.folder!,
          ...(spec.pointInTime ? { pointInTime: spec.pointInTime } : {}),
          ...(spec.gtid ? { gtid: spec.gtid } : {}),
          ...(source.archive ? { archive: source.archive } : {}),
          spec: source.spec!,
        };
        await this.prepareClaim(namespace, spec.clusterName, name, source.spec!);
        await this.deps.applier.apply(restoreJob({ name, namespace, uid: r.metadata?.uid ?? '' }, request, { image: source.spec!.engine?.image ?? this.deps.image, imagePullPolicy: source.spec!.engine?.imagePullPolicy }));
        const message = `restoring backup ${source.folder} into instance 0 of the new cluster ${spec.clusterName}${spec.pointInTime || spec.gtid ? `, up to ${spec.pointInTime ?? spec.gtid}` : ''}`;
        await this.write(r, ref, { phase: 'Restoring', message, backup: source.folder, startTime: now.toISOString() }, { status: 'False', reason: 'Restoring', message }, now);
        void this.deps.events.normal(ref, 'Restoring', message);
        return;
      }
      case 'create': {
        await this.deps.applier.apply({
          apiVersion: API_VERSION,
          kind: CLUSTER_KIND,
          metadata: { name: spec.clusterName, namespace, annotations: { [RESTORED_FROM]: name } },
          spec: step.result.spec,
        });
        const message = `instance 0 restored at GTID ${step.result.gtid || '(empty)'} in ${step.result.seconds.toFixed(1)} s; cluster ${spec.clusterName} created`;
        await this.write(r, ref, { phase: 'Starting', gtid: step.result.gtid, message }, { status: 'False', reason: 'Starting', message }, now);
        void this.deps.events.normal(ref, 'ClusterCreated', message);
        return { requeueAfterMs: WAIT_MS };
      }
      case 'complete': {
        const message = `cluster ${spec.clusterName} is running with all its instances`;
        await this.write(r, ref, { phase: 'Completed', message, completionTime: now.toISOString() }, { status: 'True', reason: 'Completed', message }, now);
        void this.deps.events.normal(ref, 'Completed', message);
        return;
      }
    }
  }

  /** The backup's storage and folder, the new cluster's spec and, with a target, the archive. */
  private resolve(namespace: string, spec: MySQLRestore['spec']): { ref: BackupRef; storage?: BackupStorage; folder?: string; spec?: ClusterSpec; archive?: BackupStorage; missing?: { path: string; message: string } } {
    let storage: BackupStorage | undefined;
    let folder: string | undefined;
    let sourceCluster: string | undefined;
    if (spec.backupName) {
      const b = this.deps.backups.get(objectKey(namespace, spec.backupName));
      if (!b) return { ref: { state: 'wait', message: `no MySQLBackup ${spec.backupName} in this namespace` } };
      if (b.status?.phase === 'Failed') return { ref: { state: 'failed', message: `spec.backupName: backup ${spec.backupName} failed: ${b.status.message ?? ''}` } };
      if (b.status?.phase !== 'Completed' || !b.status.folder) return { ref: { state: 'wait', message: `backup ${spec.backupName} has not completed yet` } };
      storage = b.spec.storage;
      folder = b.status.folder;
      sourceCluster = b.spec.clusterName;
    } else if (spec.source) {
      storage = spec.source.storage;
      folder = spec.source.path;
      sourceCluster = spec.source.path.split('/')[0];
    }
    const ref: BackupRef = { state: 'ready' };
    const from = sourceCluster ? (this.deps.clusters.get(objectKey(namespace, sourceCluster)) as Cluster | undefined)?.spec : undefined;
    if (!spec.cluster?.spec && !from) return { ref, storage, folder, missing: { path: 'spec.cluster', message: `the backup's cluster ${sourceCluster ?? ''} is not here to copy its spec from: give the new cluster's spec` } };
    // With its defaults, and checked: a copied spec may hold what the new cluster cannot use.
    const checked = validateCluster({ apiVersion: API_VERSION, kind: CLUSTER_KIND, metadata: { name: spec.clusterName }, spec: spec.cluster?.spec ?? from });
    if (!checked.ok) return { ref, storage, folder, missing: { path: spec.cluster?.spec ? 'spec.cluster.spec' : 'spec.cluster', message: checked.errors.map((e) => `${e.path} ${e.message}`).join('; ') } };
    const newSpec = checked.value.spec;
    const wantsReplay = spec.pointInTime !== undefined || spec.gtid !== undefined;
    const archive = wantsReplay ? spec.archive?.storage ?? from?.pitr?.storage : undefined;
    if (wantsReplay && !archive) return { ref, storage, folder, spec: newSpec, missing: { path: 'spec.archive', message: `the backup's cluster has no spec.pitr here: name where its binary logs are archived` } };
    return { ref, storage, folder, spec: newSpec, archive };
  }

  /** The Secret and the claim of instance 0, as the new cluster's StatefulSet will find them. */
  private async prepareClaim(namespace: string, cluster: string, restore: string, spec: ClusterSpec): Promise<void> {
    const owner = { name: cluster, namespace, uid: '' };
    await ensureSecret(this.deps.applier, owner, { apiVersion: API_VERSION, kind: CLUSTER_KIND, metadata: { name: cluster, namespace }, spec } as MySQLCluster, { adopt: false, labels: { [RESTORE_LABEL]: restore } });
    const s = spec.storage;
    await this.deps.applier.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: namesOf(cluster, namespace).pvc(0), namespace, labels: { ...commonLabels(cluster), [RESTORE_LABEL]: restore } },
      spec: { accessModes: s.accessModes, ...(s.storageClassName ? { storageClassName: s.storageClassName } : {}), resources: { requests: { storage: s.size } } },
    });
  }

  /** Only what this restore created, and only while no cluster uses it. */
  private async cleanUp(namespace: string, cluster: string, restore: string): Promise<void> {
    const n = namesOf(cluster, namespace);
    // Its pod holds the claim (the claim's protection finalizer waits for it): the Job goes first.
    await this.deps.applier.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: jobName(restore, 'restore') }, 'Background');
    for (const ref of [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: n.pvc(0) }, { apiVersion: 'v1', kind: 'Secret', name: n.secrets }]) {
      const obj = await this.deps.applier.get<KubeObject>({ ...ref, namespace });
      if (obj?.metadata?.labels?.[RESTORE_LABEL] === restore) await this.deps.applier.delete({ ...ref, namespace });
    }
  }

  private write(r: Restore, ref: ObjectRef, next: Partial<RestoreStatus> & { phase: RestorePhase }, condition: { status: 'True' | 'False'; reason: string; message: string }, now: Date): Promise<void> {
    return writeOwnStatus(this.deps.applier, r, ref, next, { type: 'Complete', ...condition }, now);
  }
}
