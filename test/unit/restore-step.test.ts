// The MySQLRestore controller's decisions (controllers/restore-step.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreStep, type RestoreView } from '../../src/controllers/restore-step.js';

const base: RestoreView = { specErrors: [], backup: { state: 'ready' }, cluster: { state: 'none' }, job: { state: 'none' } };
const result = { ok: true as const, gtid: '0-1-9', backup: 'prod/20261201T010203Z', seconds: 3, spec: { replicas: 3 } as never };

test('restoreStep', async (t) => {
  const table: Array<[string, Partial<RestoreView>, ReturnType<typeof restoreStep>]> = [
    ['everything known and free: the Job starts', {}, { kind: 'start' }],
    ['the name is taken: refused, nothing created or removed', { cluster: { state: 'foreign' } },
      { kind: 'fail', reason: 'ClusterExists', message: 'spec.clusterName: that cluster exists; a restore creates a new cluster, so choose another name', cleanUp: false }],
    ['a bad spec: refused naming the field', { specErrors: [{ path: 'spec.gtid', message: 'cannot be set together with spec.pointInTime; choose one target' }] },
      { kind: 'fail', reason: 'InvalidSpec', message: 'spec.gtid: cannot be set together with spec.pointInTime; choose one target', cleanUp: false }],
    ['the backup is not done yet: waits', { backup: { state: 'wait', message: 'backup nightly has not completed yet' } },
      { kind: 'wait', phase: 'Pending', reason: 'WaitingForBackup', message: 'backup nightly has not completed yet' }],
    ['the backup failed: the restore fails', { backup: { state: 'failed', message: 'spec.backupName: backup nightly failed: x' } },
      { kind: 'fail', reason: 'BackupFailed', message: 'spec.backupName: backup nightly failed: x', cleanUp: false }],
    ['no spec to copy: refused before the Job', { missing: { path: 'spec.cluster', message: 'give the new cluster\'s spec' } },
      { kind: 'fail', reason: 'InvalidSpec', message: 'spec.cluster: give the new cluster\'s spec', cleanUp: false }],
    ['the Job runs', { phase: 'Restoring', job: { state: 'running' } }, { kind: 'wait', phase: 'Restoring', reason: 'Restoring', message: 'the restore Job is building instance 0' }],
    ['the Job succeeded: the cluster is created', { phase: 'Restoring', job: { state: 'done', succeeded: true, result } }, { kind: 'create', result }],
    ['the Job failed (a target outside the archive): cleaned up, with the message', { phase: 'Restoring', job: { state: 'done', succeeded: false, result: { ok: false, error: 'spec.pointInTime: the archive covers 10:00:00 to 10:05:00' } } },
      { kind: 'fail', reason: 'RestoreFailed', message: 'spec.pointInTime: the archive covers 10:00:00 to 10:05:00', cleanUp: true }],
    ['the Job vanished mid-restore', { phase: 'Restoring' }, { kind: 'fail', reason: 'JobLost', message: 'the restore Job is gone before it finished', cleanUp: true }],
    ['someone took the name while the Job ran: the claim is kept', { phase: 'Restoring', cluster: { state: 'foreign' }, job: { state: 'done', succeeded: true, result } },
      { kind: 'fail', reason: 'ClusterExists', message: 'spec.clusterName: a cluster of that name was created while the restore ran', cleanUp: false }],
    ['the restored cluster is starting', { phase: 'Starting', cluster: { state: 'ours', ready: false, readyText: '1/3' }, job: { state: 'done', succeeded: true, result } },
      { kind: 'wait', phase: 'Starting', reason: 'Starting', message: 'the restored cluster is starting (1/3 ready)' }],
    ['all instances ready: Completed', { phase: 'Starting', cluster: { state: 'ours', ready: true } }, { kind: 'complete' }],
    ['Completed is final', { phase: 'Completed', cluster: { state: 'none' } }, { kind: 'none' }],
  ];
  for (const [name, view, want] of table) await t.test(name, () => assert.deepEqual(restoreStep({ ...base, ...view }), want));
});
