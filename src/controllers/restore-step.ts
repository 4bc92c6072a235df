// PURE: the next step of one MySQLRestore. A restore never touches an existing cluster: it
// builds the new cluster's first claim in a Job, then creates the MySQLCluster, which clones
// its other instances from that one, and is Completed once every instance is ready. Anything
// that cannot work is refused before the Job starts; a Job that fails leaves no cluster.
import type { FieldError } from '../api/validate.js';
import type { RestoreJobResult } from '../platform/kube/restore-job.js';

export type RestorePhase = 'Pending' | 'Restoring' | 'Starting' | 'Completed' | 'Failed';

export type BackupRef =
  | { state: 'ready' }
  | { state: 'wait'; message: string }
  | { state: 'failed'; message: string };

export interface RestoreView {
  phase?: RestorePhase;
  specErrors: FieldError[];
  backup: BackupRef;
  /** Why the new cluster's spec or archive cannot be known, if so. */
  missing?: { path: string; message: string };
  /** none: not there; ours: created by this restore; foreign: someone else's. */
  cluster: { state: 'none' } | { state: 'foreign' } | { state: 'ours'; ready: boolean; readyText?: string };
  job: { state: 'none' } | { state: 'running' } | { state: 'done'; succeeded: boolean; result?: RestoreJobResult };
}

export type RestoreStep =
  | { kind: 'none' }
  | { kind: 'wait'; phase: RestorePhase; reason: string; message: string }
  | { kind: 'fail'; reason: string; message: string; cleanUp: boolean }
  | { kind: 'start' }
  | { kind: 'create'; result: Extract<RestoreJobResult, { ok: true }> }
  | { kind: 'complete' };

export function restoreStep(v: RestoreView): RestoreStep {
  if (v.phase === 'Completed' || v.phase === 'Failed') return { kind: 'none' };
  if (v.cluster.state === 'ours') {
    if (v.cluster.ready) return { kind: 'complete' };
    return { kind: 'wait', phase: 'Starting', reason: 'Starting', message: `the restored cluster is starting (${v.cluster.readyText ?? '0'} ready)` };
  }
  if (v.job.state === 'running') return { kind: 'wait', phase: 'Restoring', reason: 'Restoring', message: 'the restore Job is building instance 0' };
  if (v.job.state === 'done') {
    const r = v.job.result;
    if (v.job.succeeded && r?.ok) {
      // Someone took the name while the Job ran: the restored claim stays for them to see.
      if (v.cluster.state === 'foreign') return { kind: 'fail', reason: 'ClusterExists', message: 'spec.clusterName: a cluster of that name was created while the restore ran', cleanUp: false };
      return { kind: 'create', result: r };
    }
    const why = r && !r.ok ? r.error : 'the restore Job failed without a message (see its pod\'s log)';
    return { kind: 'fail', reason: 'RestoreFailed', message: why, cleanUp: true };
  }
  if (v.phase === 'Restoring') return { kind: 'fail', reason: 'JobLost', message: 'the restore Job is gone before it finished', cleanUp: true };
  if (v.specErrors.length) return { kind: 'fail', reason: 'InvalidSpec', message: v.specErrors.map((e) => `${e.path}: ${e.message}`).join('; '), cleanUp: false };
  if (v.cluster.state === 'foreign') {
    return { kind: 'fail', reason: 'ClusterExists', message: 'spec.clusterName: that cluster exists; a restore creates a new cluster, so choose another name', cleanUp: false };
  }
  if (v.backup.state === 'failed') return { kind: 'fail', reason: 'BackupFailed', message: v.backup.message, cleanUp: false };
  if (v.backup.state === 'wait') return { kind: 'wait', phase: 'Pending', reason: 'WaitingForBackup', message: v.backup.message };
  if (v.missing) return { kind: 'fail', reason: 'InvalidSpec', message: `${v.missing.path}: ${v.missing.message}`, cleanUp: false };
  return { kind: 'start' };
}
