// PURE: the next step of one MySQLBackup, from what the operator sees (its status, its Job,
// its cluster, the cluster's other backups). A backup runs once: Completed and Failed are
// final, and a Job that exists is never created again (its outcome decides).
import type { InstanceSummary } from '../clustering/summary.js';
import type { FieldError } from '../api/validate.js';
import type { BackupJobResult, VerifiedSummary, VerifyJobResult } from '../platform/kube/backup-job.js';
import { chooseBackupSource, type BackupTarget } from '../backup/source.js';

export type BackupPhase = 'Pending' | 'Running' | 'Completed' | 'Failed';

export type JobView<R = BackupJobResult> =
  | { state: 'none' }
  | { state: 'running' }
  /** Done (succeeded, or failed past its retries), with what its pod's termination message says. */
  | { state: 'done'; succeeded: boolean; result?: R };

export interface BackupView {
  phase?: BackupPhase;
  /** spec.verify, whether status.verified is recorded, and the verify Job. */
  verify?: { wanted: boolean; recorded: boolean; job: JobView<VerifyJobResult> };
  specErrors: FieldError[];
  target: BackupTarget;
  /** Undefined: no such cluster. */
  cluster?: { instances: InstanceSummary[]; galera?: boolean };
  /** Another backup of the same cluster that is Running (one at a time). */
  otherRunning?: string;
  job: JobView;
}

export type BackupStep =
  | { kind: 'none' }
  | { kind: 'wait'; reason: string; message: string }
  | { kind: 'fail'; reason: string; message: string }
  | { kind: 'start'; ordinal: number; role: 'primary' | 'replica' }
  | { kind: 'running' }
  | { kind: 'complete'; result: Extract<BackupJobResult, { id: string }> }
  | { kind: 'startVerify' }
  | { kind: 'verified'; result: VerifiedSummary };

export function backupStep(v: BackupView): BackupStep {
  if (v.phase === 'Completed') return verifyStep(v.verify);
  if (v.phase === 'Failed') return { kind: 'none' };
  if (v.job.state === 'running') return { kind: 'running' };
  if (v.job.state === 'done') {
    const r = v.job.result;
    if (v.job.succeeded && r?.ok && 'id' in r) return { kind: 'complete', result: r };
    const why = r && !r.ok ? r.error : v.job.succeeded ? 'the backup Job succeeded but left no result' : 'the backup Job failed without a message (see its pod\'s log)';
    return { kind: 'fail', reason: 'BackupFailed', message: why };
  }
  // No Job yet: nothing has been copied, so every check below may still say "not now".
  if (v.phase === 'Running') return { kind: 'fail', reason: 'JobLost', message: 'the backup Job is gone before it finished' };
  if (v.specErrors.length) return { kind: 'fail', reason: 'InvalidSpec', message: v.specErrors.map((e) => `${e.path}: ${e.message}`).join('; ') };
  if (!v.cluster) return { kind: 'wait', reason: 'ClusterNotFound', message: 'no MySQLCluster of that name in this namespace' };
  if (v.cluster.galera) return { kind: 'fail', reason: 'GaleraNotSupported', message: 'backups of Galera clusters (spec.mode galera) are not supported yet' };
  if (v.otherRunning) return { kind: 'wait', reason: 'AnotherBackupRunning', message: `backup ${v.otherRunning} of the same cluster is running; one at a time` };
  const choice = chooseBackupSource(v.cluster.instances, v.target);
  if (!choice.ok) return { kind: 'wait', reason: 'NoSource', message: choice.reason };
  return { kind: 'start', ordinal: choice.ordinal, role: choice.role };
}

/** A completed backup with spec.verify is proven restorable once, by a Job of its own. */
function verifyStep(v: BackupView['verify']): BackupStep {
  if (!v?.wanted || v.recorded) return { kind: 'none' };
  if (v.job.state === 'none') return { kind: 'startVerify' };
  if (v.job.state === 'running') return { kind: 'none' };
  const r = v.job.result;
  if (r?.ok) return { kind: 'verified', result: r.verification };
  const error = r && !r.ok ? `the verify Job failed: ${r.error}` : 'the verify Job failed without a message (see its pod\'s log)';
  return { kind: 'verified', result: { ok: false, verifiedAt: '', seconds: 0, error } };
}
