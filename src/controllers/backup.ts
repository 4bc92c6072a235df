// The MySQLBackup controller: picks the source instance, runs one backup Job, and reports
// its outcome in status and Events. With deletionPolicy Delete a finalizer keeps the object
// until a second Job has deleted the stored files.
import type { Logger } from 'pino';
import { validateBackup, type MySQLBackup } from '../api/backup.js';
import type { MySQLCluster } from '../api/cluster.js';
import { BACKUP_KIND } from '../api/backup.js';
import type { Applier } from '../kube/apply.js';
import type { Condition } from '../kube/conditions.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import type { HandlerResult } from '../kube/queue.js';
import { objectKey, type KubeObject, type ObjectRef } from '../kube/types.js';
import { AGENT_PORT, MYSQL_PORT, namesOf } from '../builders/names.js';
import { backupJob, jobName } from '../builders/backup-job.js';
import type { InstanceSummary } from '../clustering/summary.js';
import type { BackupJobRequest, BackupJobResult, VerifiedSummary, VerifyJobResult } from '../platform/kube/backup-job.js';
import { backupStep, type BackupPhase } from './backup-step.js';
import { jobOutcome } from './job-outcome.js';
import { ownRef, writeOwnStatus } from './own-status.js';

export const FILES_FINALIZER = 'ordinal.dev/backup-files';
const WAIT_MS = 10_000;

export interface BackupStatus {
  phase: BackupPhase;
  conditions?: Condition[];
  observedGeneration?: number;
  source?: { instance: number; role: 'primary' | 'replica' };
  startTime?: string;
  completionTime?: string;
  backupId?: string;
  location?: string;
  folder?: string;
  gtid?: string;
  bytes?: number;
  serverVersion?: string;
  message?: string;
  /** spec.verify: restored in a scratch Job, every table checked. */
  verified?: VerifiedSummary;
}

export type Backup = MySQLBackup & KubeObject & { metadata: { finalizers?: string[] }; status?: BackupStatus };

export interface BackupControllerDeps {
  applier: Applier;
  events: EventRecorder;
  backups: Informer<Backup>;
  clusters: Informer;
  jobs: Informer;
  pods: Informer;
  image: string;
  log: Logger;
}

export class BackupController {
  /** Backups this process started, by cluster: the cache may not show them Running yet. */
  private readonly started = new Map<string, string>();

  constructor(private readonly deps: BackupControllerDeps) {}

  /** A backup of the same cluster that runs, as the cache or this process knows it. */
  private otherRunning(b: Backup, namespace: string, cluster: string): string | undefined {
    const running = this.deps.backups.list().find((o) => o !== b && o.metadata?.namespace === namespace && o.spec?.clusterName === cluster && o.status?.phase === 'Running');
    if (running) return running.metadata?.name;
    const mine = this.started.get(objectKey(namespace, cluster));
    if (!mine || mine === b.metadata?.name) return undefined;
    const other = this.deps.backups.get(objectKey(namespace, mine));
    const done = !other || other.status?.phase === 'Completed' || other.status?.phase === 'Failed';
    return done ? undefined : mine;
  }

  async reconcile(key: string): Promise<HandlerResult> {
    const b = this.deps.backups.get(key);
    if (!b) return;
    const ref = ownRef(BACKUP_KIND, b);
    if (b.metadata?.deletionTimestamp) return this.finalize(b, ref);
    // The patch makes a new version: the next run (its watch event) works from that one.
    if (await this.keepFinalizer(b, ref)) return;

    const validated = validateBackup(b);
    const spec = validated.ok ? validated.value.spec : b.spec;
    const cluster = this.deps.clusters.get(objectKey(ref.namespace, spec.clusterName)) as (MySQLCluster & KubeObject) | undefined;
    const job = await jobOutcome<BackupJobResult>(this.deps, ref.namespace, jobName(ref.name, 'take'), b.status?.phase === 'Running');
    const verifying = b.status?.phase === 'Completed' && spec.verify === true && !b.status.verified;
    const step = backupStep({
      phase: b.status?.phase,
      verify: {
        wanted: spec.verify === true,
        recorded: b.status?.verified !== undefined,
        job: verifying ? await jobOutcome<VerifyJobResult>(this.deps, ref.namespace, jobName(ref.name, 'verify'), false) : { state: 'none' },
      },
      specErrors: validated.ok ? [] : validated.errors,
      target: spec.target ?? 'replica',
      cluster: cluster ? { instances: (cluster.status as { instances?: InstanceSummary[] } | undefined)?.instances ?? [], galera: cluster.spec?.mode === 'galera' } : undefined,
      otherRunning: this.otherRunning(b, ref.namespace, spec.clusterName),
      job,
    });
    const now = new Date();
    switch (step.kind) {
      case 'none':
      case 'running':
        return;
      case 'wait':
        await this.write(b, ref, { phase: 'Pending', message: step.message }, { status: 'False', reason: step.reason, message: step.message }, now);
        return { requeueAfterMs: WAIT_MS };
      case 'fail':
        await this.write(b, ref, { phase: 'Failed', message: step.message, completionTime: now.toISOString() }, { status: 'False', reason: step.reason, message: step.message }, now);
        void this.deps.events.warning(ref, step.reason, step.message);
        return;
      case 'start': {
        const n = namesOf(spec.clusterName, ref.namespace);
        const host = n.host(step.ordinal);
        const request: BackupJobRequest = {
          action: 'take',
          cluster: spec.clusterName,
          method: spec.method,
          ...(spec.databases ? { databases: spec.databases } : {}),
          storage: spec.storage,
          source: { ordinal: step.ordinal, role: step.role, host, port: MYSQL_PORT, agent: `${host}:${AGENT_PORT}` },
          spec: cluster!.spec,
        };
        this.started.set(objectKey(ref.namespace, spec.clusterName), ref.name);
        await this.deps.applier.apply(backupJob(ownerOf(b), request, { image: cluster!.spec.engine?.image ?? this.deps.image, imagePullPolicy: cluster!.spec.engine?.imagePullPolicy }));
        const message = `backing up instance ${step.ordinal} (${step.role}) of cluster ${spec.clusterName}`;
        await this.write(b, ref, { phase: 'Running', message, startTime: now.toISOString(), source: { instance: step.ordinal, role: step.role } }, { status: 'False', reason: 'Running', message }, now);
        void this.deps.events.normal(ref, 'Started', `${message} (${spec.method})`);
        return;
      }
      case 'complete': {
        const r = step.result;
        const message = `backup ${r.id} at GTID ${r.gtid || '(empty)'}: ${r.bytes} bytes in ${r.location}`;
        await this.write(b, ref, {
          phase: 'Completed', message, completionTime: r.endTime, startTime: r.startTime,
          backupId: r.id, location: r.location, folder: r.folder, gtid: r.gtid, bytes: r.bytes, serverVersion: r.serverVersion,
        }, { status: 'True', reason: 'Completed', message }, now);
        void this.deps.events.normal(ref, 'Completed', message);
        return;
      }
      case 'startVerify': {
        const request: BackupJobRequest = { action: 'verify', cluster: spec.clusterName, storage: spec.storage, id: b.status!.backupId! };
        await this.deps.applier.apply(backupJob(ownerOf(b), request, { image: cluster?.spec.engine?.image ?? this.deps.image, imagePullPolicy: cluster?.spec.engine?.imagePullPolicy }));
        void this.deps.events.normal(ref, 'Verifying', `restoring backup ${b.status!.backupId} in a scratch Job to prove it restorable`);
        return;
      }
      case 'verified': {
        const v = { ...step.result, verifiedAt: step.result.verifiedAt || now.toISOString() };
        const message = v.ok
          ? `restored in ${v.seconds.toFixed(1)} s: ${v.tables} tables checked, ${v.rows} rows, GTID ${v.gtid}`
          : `could not be restored: ${v.error}`;
        await writeOwnStatus(this.deps.applier, b, ref, { verified: v }, { type: 'Verified', status: v.ok ? 'True' : 'False', reason: v.ok ? 'Restorable' : 'Unrestorable', message }, now);
        if (v.ok) void this.deps.events.normal(ref, 'Verified', message);
        else void this.deps.events.warning(ref, 'Unrestorable', message);
        return;
      }
    }
  }

  /** Deleting: with deletionPolicy Delete, a Job deletes the files before the finalizer goes. */
  private async finalize(b: Backup, ref: ObjectRef & { namespace: string }): Promise<HandlerResult> {
    if (!b.metadata?.finalizers?.includes(FILES_FINALIZER)) return;
    const id = b.status?.backupId;
    if (id) {
      const name = jobName(ref.name, 'delete');
      const job = await jobOutcome<BackupJobResult>(this.deps, ref.namespace, name, false);
      if (job.state === 'none') {
        const request: BackupJobRequest = { action: 'delete', cluster: b.spec.clusterName, storage: b.spec.storage, id };
        await this.deps.applier.apply(backupJob(ownerOf(b), request, { image: this.deps.image }));
        void this.deps.events.normal(ref, 'Deleting', `deleting the files of backup ${id} (deletionPolicy Delete)`);
        return;
      }
      if (job.state === 'running') return;
      if (!job.succeeded || !job.result?.ok) {
        const why = job.result && !job.result.ok ? job.result.error : 'the delete Job failed';
        void this.deps.events.warning(ref, 'DeleteFailed', `${why}; retrying in a minute (remove the finalizer ${FILES_FINALIZER} to keep the files and give up)`);
        await this.deps.applier.delete({ apiVersion: 'batch/v1', kind: 'Job', namespace: ref.namespace, name }, 'Background');
        return { requeueAfterMs: 60_000 };
      }
    }
    // A backup that never completed has no manifest: whatever it wrote is never listed.
    await this.setFinalizers(b, ref, (b.metadata.finalizers ?? []).filter((f) => f !== FILES_FINALIZER));
  }

  /** True when it patched the finalizers. */
  private async keepFinalizer(b: Backup, ref: ObjectRef): Promise<boolean> {
    const has = b.metadata?.finalizers?.includes(FILES_FINALIZER) ?? false;
    const wants = b.spec?.deletionPolicy === 'Delete';
    if (has === wants) return false;
    const others = (b.metadata?.finalizers ?? []).filter((f) => f !== FILES_FINALIZER);
    await this.setFinalizers(b, ref, wants ? [...others, FILES_FINALIZER] : others);
    return true;
  }

  private setFinalizers(b: Backup, ref: ObjectRef, finalizers: string[]): Promise<void> {
    // resourceVersion: a finalizer list written over someone else's newer one would drop theirs.
    return this.deps.applier.mergePatch(ref, { metadata: { finalizers, resourceVersion: b.metadata?.resourceVersion } });
  }

  private write(b: Backup, ref: ObjectRef, next: Partial<BackupStatus> & { phase: BackupPhase }, condition: { status: 'True' | 'False'; reason: string; message: string }, now: Date): Promise<void> {
    return writeOwnStatus(this.deps.applier, b, ref, next, { type: 'Complete', ...condition }, now);
  }
}

function ownerOf(b: Backup) {
  return { name: b.metadata!.name!, namespace: b.metadata?.namespace ?? 'default', uid: b.metadata?.uid ?? '' };
}
