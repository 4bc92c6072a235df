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

test('two restores to one new name at once: one Job, the other refused; an existing claim is never filled', async () => {
  const { RestoreController } = await import('../../src/controllers/restore.js');
  const { FakeApplier, FakeEvents, fakeCache } = await import('./fake-kube.js');
  const pino = (await import('pino')).default;
  const source = { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: 'prod', namespace: 'db' }, spec: { replicas: 2 } };
  const backup = { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLBackup', metadata: { name: 'nightly', namespace: 'db' }, spec: { clusterName: 'prod', storage: { pvc: { claimName: 'b' } } }, status: { phase: 'Completed', folder: 'prod/20261201T030000Z' } };
  const restore = (name: string, clusterName: string) => ({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLRestore', metadata: { name, namespace: 'db', uid: `u-${name}` }, spec: { clusterName, backupName: 'nightly' } });
  const applier = new FakeApplier();
  applier.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-kept-0', namespace: 'db' } });
  const controller = new RestoreController({
    applier: applier as never, events: new FakeEvents() as never, image: 'img', log: pino({ level: 'silent' }),
    restores: fakeCache([restore('r1', 'copy'), restore('r2', 'copy'), restore('r3', 'kept')]) as never, backups: fakeCache([backup]) as never,
    clusters: fakeCache([source]) as never, jobs: fakeCache([]) as never, pods: fakeCache([]) as never,
  });
  await Promise.all([controller.reconcile('db/r1'), controller.reconcile('db/r2'), controller.reconcile('db/r3')]);
  assert.deepEqual(applier.writes.filter((w) => w.startsWith('apply Job')), ['apply Job/r1-restore']);
  const status = async (name: string) => (await applier.get<any>({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLRestore', namespace: 'db', name })).status;
  assert.deepEqual([(await status('r2')).phase, (await status('r2')).message], ['Failed', 'spec.clusterName: restore r1 is creating that cluster; choose another name']);
  assert.deepEqual([(await status('r3')).phase, (await status('r3')).message], ['Failed', 'spec.clusterName: the claim data-kept-0 exists already; choose another name']);
});
