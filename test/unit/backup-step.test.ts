// The MySQLBackup controller's decisions (controllers/backup-step.ts), and the Job it creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupStep, type BackupView } from '../../src/controllers/backup-step.js';
import { backupJob } from '../../src/builders/backup-job.js';
import { archiveSeries, backupSeries } from '../../src/controllers/backup-metrics.js';
import type { InstanceSummary } from '../../src/clustering/summary.js';

const inst = (ordinal: number, role: 'primary' | 'replica', ready = true): InstanceSummary => ({ ordinal, role, ready, readOnly: role === 'replica', errant: false, reachable: true, lagSeconds: role === 'replica' ? 0 : null });
const healthy = { instances: [inst(0, 'primary'), inst(1, 'replica'), inst(2, 'replica', false)] };
const base: BackupView = { specErrors: [], target: 'replica', cluster: healthy, job: { state: 'none' } };
const done = { ok: true as const, id: '20261201T010203Z', gtid: '0-1-9', bytes: 10, location: 'file:///b', folder: 'c/20261201T010203Z', startTime: 's', endTime: 'e', serverVersion: '10.11' };

test('backupStep', async (t) => {
  const table: Array<[string, Partial<BackupView>, ReturnType<typeof backupStep>]> = [
    ['a new backup starts on the ready replica', {}, { kind: 'start', ordinal: 1, role: 'replica' }],
    ['target primary', { target: 'primary' }, { kind: 'start', ordinal: 0, role: 'primary' }],
    ['no ready replica: waits, and says how to use the primary', { cluster: { instances: [inst(0, 'primary'), inst(1, 'replica', false)] } },
      { kind: 'wait', reason: 'NoSource', message: 'no replica is ready to be backed up; take it from the primary with target primary or preferReplica' }],
    ['preferReplica falls back to the primary', { target: 'preferReplica', cluster: { instances: [inst(0, 'primary')] } }, { kind: 'start', ordinal: 0, role: 'primary' }],
    ['no such cluster: waits (it may be created next)', { cluster: undefined }, { kind: 'wait', reason: 'ClusterNotFound', message: 'no MySQLCluster of that name in this namespace' }],
    ['a Galera cluster: refused, not waited on', { cluster: { ...healthy, galera: true } }, { kind: 'fail', reason: 'GaleraNotSupported', message: 'backups of Galera clusters (spec.mode galera) are not supported yet' }],
    ['one backup of a cluster at a time', { otherRunning: 'nightly-1' }, { kind: 'wait', reason: 'AnotherBackupRunning', message: 'backup nightly-1 of the same cluster is running; one at a time' }],
    ['a bad spec fails at once, naming the field', { specErrors: [{ path: 'spec.storage', message: 'must name exactly one of s3, pvc or local, not s3 and pvc' }] },
      { kind: 'fail', reason: 'InvalidSpec', message: 'spec.storage: must name exactly one of s3, pvc or local, not s3 and pvc' }],
    ['a running Job is left alone', { phase: 'Running', job: { state: 'running' } }, { kind: 'running' }],
    ['a Job that succeeded completes the backup', { phase: 'Running', job: { state: 'done', succeeded: true, result: done } }, { kind: 'complete', result: done }],
    ['a Job that failed fails it with its message', { phase: 'Running', job: { state: 'done', succeeded: false, result: { ok: false, error: 'S3 endpoint http://s3:9000 does not answer' } } },
      { kind: 'fail', reason: 'BackupFailed', message: 'S3 endpoint http://s3:9000 does not answer' }],
    ['a failed Job without a message points at its log', { phase: 'Running', job: { state: 'done', succeeded: false } },
      { kind: 'fail', reason: 'BackupFailed', message: "the backup Job failed without a message (see its pod's log)" }],
    ['a Running backup whose Job is gone fails (it is never taken twice)', { phase: 'Running' }, { kind: 'fail', reason: 'JobLost', message: 'the backup Job is gone before it finished' }],
    ['Completed is final, even if the cluster is gone', { phase: 'Completed', cluster: undefined, job: { state: 'none' } }, { kind: 'none' }],
    ['Completed with verify: a verify Job starts', { phase: 'Completed', verify: { wanted: true, recorded: false, job: { state: 'none' } } }, { kind: 'startVerify' }],
    ['verifying', { phase: 'Completed', verify: { wanted: true, recorded: false, job: { state: 'running' } } }, { kind: 'none' }],
    ['verified', { phase: 'Completed', verify: { wanted: true, recorded: false, job: { state: 'done', succeeded: true, result: { ok: true, verification: { ok: true, verifiedAt: 't', seconds: 2, tables: 3, rows: 10, gtid: '0-1-9' } } } } },
      { kind: 'verified', result: { ok: true, verifiedAt: 't', seconds: 2, tables: 3, rows: 10, gtid: '0-1-9' } }],
    ['unrestorable is recorded as found', { phase: 'Completed', verify: { wanted: true, recorded: false, job: { state: 'done', succeeded: true, result: { ok: true, verification: { ok: false, verifiedAt: 't', seconds: 2, error: 'CHECK TABLE app.t: corrupt' } } } } },
      { kind: 'verified', result: { ok: false, verifiedAt: 't', seconds: 2, error: 'CHECK TABLE app.t: corrupt' } }],
    ['a verify Job that failed counts as not verified', { phase: 'Completed', verify: { wanted: true, recorded: false, job: { state: 'done', succeeded: false, result: { ok: false, error: 'S3 down' } } } },
      { kind: 'verified', result: { ok: false, verifiedAt: '', seconds: 0, error: 'the verify Job failed: S3 down' } }],
    ['verified once only', { phase: 'Completed', verify: { wanted: true, recorded: true, job: { state: 'none' } } }, { kind: 'none' }],
    ['Failed is final', { phase: 'Failed', job: { state: 'running' } }, { kind: 'none' }],
  ];
  for (const [name, view, want] of table) await t.test(name, () => assert.deepEqual(backupStep({ ...base, ...view }), want));
});

test('the backup Job: S3 keys from the named Secret as env, the cluster Secret mounted, no secret in the request', () => {
  const owner = { name: 'nightly', namespace: 'db', uid: 'u1' };
  const storage = { s3: { bucket: 'backups', region: 'us-east-1', forcePathStyle: true, endpoint: 'http://s3:9000', credentialsSecretRef: { name: 's3-keys' } } };
  const request = { action: 'take' as const, cluster: 'prod', method: 'physical' as const, storage, source: { ordinal: 1, role: 'replica' as const, host: 'h', port: 3306, agent: 'h:9601' }, spec: { replicas: 3 } as never };
  const job = backupJob(owner, request, { image: 'img' }) as any;
  const c = job.spec.template.spec.containers[0];
  assert.equal(job.metadata.name, 'nightly-backup');
  assert.deepEqual(job.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.uid, r.controller]), [['MySQLBackup', 'nightly', 'u1', true]]);
  assert.deepEqual(c.command.slice(-1), ['job']);
  assert.deepEqual(c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]), [
    ['AWS_ACCESS_KEY_ID', 's3-keys', 'accessKeyId'],
    ['AWS_SECRET_ACCESS_KEY', 's3-keys', 'secretAccessKey'],
  ]);
  assert.deepEqual(JSON.parse(c.env[0].value), request, 'the request is the one env value');
  const secretVolume = job.spec.template.spec.volumes.find((v: any) => v.secret);
  assert.deepEqual([secretVolume.secret.secretName, secretVolume.secret.items.map((i: any) => i.key)], ['prod-secrets', ['operator', 'agent-token']]);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  assert.ok(!job.metadata.labels['ordinal.dev/cluster'], 'not an instance pod of the cluster');

  const pvc = { pvc: { claimName: 'backups', path: '/prod' } };
  const del = backupJob(owner, { action: 'delete', cluster: 'prod', storage: pvc, id: 'x' }, { image: 'img' }) as any;
  assert.equal(del.metadata.name, 'nightly-delete');
  assert.deepEqual(del.spec.template.spec.volumes.map((v: any) => v.name), ['scratch', 'storage'], 'a delete needs no password');
  assert.equal(del.spec.template.spec.containers[0].env.length, 1);
});

test('backup metrics: per cluster, the newest completed backup and the failed count', () => {
  const b = (ns: string, cluster: string, phase: string, start?: string, end?: string, bytes?: number) =>
    ({ metadata: { namespace: ns, name: `${cluster}-${end ?? phase}` }, spec: { clusterName: cluster }, status: { phase, startTime: start, completionTime: end, bytes } }) as never;
  const rows = backupSeries([
    b('db', 'prod', 'Completed', '2026-12-01T03:00:00Z', '2026-12-01T03:01:40Z', 500),
    b('db', 'prod', 'Completed', '2026-12-01T02:00:00Z', '2026-12-01T02:00:10Z', 400),
    b('db', 'prod', 'Failed'),
    b('db', 'prod', 'Running', '2026-12-01T04:00:00Z'),
    b('other', 'prod', 'Failed'),
  ]);
  assert.deepEqual(rows, [
    { namespace: 'db', cluster: 'prod', failed: 1, unrestorable: 0, lastSuccess: Date.parse('2026-12-01T03:01:40Z') / 1000, lastDuration: 100, lastBytes: 500 },
    { namespace: 'other', cluster: 'prod', failed: 1, unrestorable: 0 },
  ]);
});

test('archive metrics: until when each cluster with spec.pitr can be restored', () => {
  const rows = archiveSeries([
    { metadata: { namespace: 'db', name: 'prod' }, status: { pitr: { lastRecoverableTime: '2026-12-01T03:00:00Z', continuous: true } } },
    { metadata: { namespace: 'db', name: 'nopitr' }, status: {} },
    { metadata: { namespace: 'db', name: 'new' }, status: { pitr: { continuous: false } } },
  ]);
  assert.deepEqual(rows, [
    { namespace: 'db', cluster: 'prod', recoverable: Date.parse('2026-12-01T03:00:00Z') / 1000, continuous: 1 },
    { namespace: 'db', cluster: 'new', recoverable: undefined, continuous: 0 },
  ]);
});

test('two backups of one cluster reconciled at once: one Job, the other waits', async () => {
  const { BackupController } = await import('../../src/controllers/backup.js');
  const { FakeApplier, FakeEvents, fakeCache } = await import('./fake-kube.js');
  const pino = (await import('pino')).default;
  const cluster = { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: 'prod', namespace: 'db' }, spec: { replicas: 2, engine: {} }, status: { instances: [inst(0, 'primary'), inst(1, 'replica')] } };
  const backup = (name: string) => ({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLBackup', metadata: { name, namespace: 'db', uid: `u-${name}` }, spec: { clusterName: 'prod', storage: { pvc: { claimName: 'b' } } } });
  const applier = new FakeApplier();
  const events = new FakeEvents();
  const controller = new BackupController({
    applier: applier as never, events: events as never, image: 'img', log: pino({ level: 'silent' }),
    backups: fakeCache([backup('a'), backup('b')]) as never, clusters: fakeCache([cluster]) as never, jobs: fakeCache([]) as never, pods: fakeCache([]) as never,
  });
  await Promise.all([controller.reconcile('db/a'), controller.reconcile('db/b')]);
  assert.deepEqual(applier.writes.filter((w) => w.startsWith('apply Job')), ['apply Job/a-backup']);
  assert.ok(events.seen.some((e) => e.startsWith('Normal Started: backing up instance 1 (replica)')));
  const b = await applier.get<any>({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLBackup', namespace: 'db', name: 'b' });
  assert.deepEqual([b.status.phase, b.status.conditions[0].reason], ['Pending', 'AnotherBackupRunning']);
});
