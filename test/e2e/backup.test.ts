// Issue 9 on the real test cluster: MySQLBackup objects become backup Jobs that write to a
// real PersistentVolumeClaim (the hostpath provisioner's folder, read here from the host) and
// to a real S3 server (s3rver on the pod network's gateway). Status, Events, the finalizer of
// deletionPolicy Delete, a bad spec refused with its field, and no key anywhere it must not be.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Writers } from '../integration/writers.js';
import { S3Server } from '../integration/s3.js';
import { execFile } from 'node:child_process';
import { ADMIN_KUBECONFIG, KubeCluster, ROOT, kubectl, kubectlJson, kubectlOk, kubectlOrdinal, useCluster, useOperators, waitFor } from './harness.js';

useOperators();
const c = useCluster('bk', 'e2e-backup');
// Pods reach the host on the bridge's gateway address (e2e/cluster: cni0, 10.244.0.0/24).
const s3 = new S3Server(mkdtempSync(join(tmpdir(), 'ord-e2e-s3-')), 15920, 'backups', '0.0.0.0');
before(() => s3.start());
after(async () => {
  await s3.stop();
  rmSync(s3.dir, { recursive: true, force: true });
});

const backup = (name: string, spec: Record<string, unknown>) =>
  kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLBackup', metadata: { name, namespace: c.namespace }, spec: { clusterName: c.name, ...spec } }));
const getBackup = (name: string) => kubectlJson(['-n', c.namespace, 'get', 'mysqlbackup', name]);
const describe = async () => `${(await kubectl(['-n', c.namespace, 'get', 'mysqlbackup,job,pod', '-o', 'wide'])).stdout}\n${(await kubectl(['-n', c.namespace, 'get', 'events', '--sort-by=.lastTimestamp'])).stdout.split('\n').slice(-20).join('\n')}`;
const settled = (name: string) => waitFor(`backup ${name} to finish`, async () => {
  const b = await getBackup(name);
  return ['Completed', 'Failed'].includes(b.status?.phase) ? b : undefined;
}, 400_000, describe, 1000);
const backupEvents = async (name: string) =>
  (await kubectlJson(['-n', c.namespace, 'get', 'events', '--field-selector', `involvedObject.name=${name},involvedObject.kind=MySQLBackup`])).items as Array<{ reason: string; message: string; type: string }>;

let claimDir = '';

test('a physical backup under writes, from a replica, to a PersistentVolumeClaim', async () => {
  assert.equal((await c.apply({ replicas: 2, storage: { size: '1Gi', storageClassName: 'standard' } })).code, 0);
  await kubectlOk(['apply', '-f', '-'], stringify({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'backups', namespace: c.namespace },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } },
  }));
  await c.healthy(2);
  await Writers.prepare(c);
  const app = await c.app();
  await app.query('CREATE TABLE static (id INT PRIMARY KEY, body VARCHAR(100))');
  await app.query("INSERT INTO static SELECT seq, CONCAT('row ', seq) FROM seq_1_to_1000");
  await app.end();
  const writers = new Writers(c, 2).start();
  try {
    assert.equal((await backup('nightly', { method: 'physical', storage: { pvc: { claimName: 'backups', path: '/prod' } }, deletionPolicy: 'Delete', verify: true })).code, 0);
    const b = await settled('nightly');
    assert.equal(b.status.phase, 'Completed', JSON.stringify(b.status));
    assert.deepEqual(b.status.source, { instance: 1, role: 'replica' });
    assert.match(b.status.gtid, /^0-\d+-\d+$/);
    assert.ok(b.status.bytes > 0);
    assert.deepEqual(b.metadata.finalizers, ['ordinal.dev/backup-files']);
    assert.equal(b.status.conditions.find((x: { type: string }) => x.type === 'Complete')?.reason, 'Completed');
    const verified = await waitFor('the backup to be verified', async () => (await getBackup('nightly')).status.verified, 300_000, describe, 2000);
    assert.equal(verified.ok, true, JSON.stringify(verified));
    const seq = (g: string) => Number(g.split('-')[2]);
    assert.ok(seq(verified.gtid) >= seq(b.status.gtid), `the restored copy holds at least the backup's position: ${verified.gtid} vs ${b.status.gtid}`);
    assert.ok(verified.tables >= 2 && verified.rows > 1000);
    const reasons = (await backupEvents('nightly')).map((e) => e.reason);
    assert.ok(['Started', 'Completed', 'Verifying', 'Verified'].every((x) => reasons.includes(x)), reasons.join(','));

    const pvc = await kubectlJson(['-n', c.namespace, 'get', 'pvc', 'backups']);
    const pv = await kubectlJson(['get', 'pv', pvc.spec.volumeName]);
    claimDir = pv.spec.hostPath.path;
    const manifest = JSON.parse(readFileSync(join(claimDir, 'prod', b.status.folder, 'manifest.json'), 'utf8'));
    assert.equal(manifest.gtid, b.status.gtid);
    assert.equal(manifest.source.role, 'replica');
    assert.equal(manifest.files[0].bytes, b.status.bytes);
  } finally {
    await writers.stop();
  }
});

test('ordinal backup verify proves it restorable again, now', async () => {
  const earlier = (await getBackup('nightly')).status.verified.verifiedAt;
  const r = await new Promise<{ code: number; out: string }>((done) => {
    execFile(process.execPath, [join(ROOT, 'bin/ordinal.js'), 'backup', 'verify', 'nightly', '-n', c.namespace, `--kubeconfig=${ADMIN_KUBECONFIG}`, '--timeout=300'], (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^backup e2e-backup\/nightly is restorable: \d+ tables checked, \d+ rows, GTID 0-\d+-\d+, in [\d.]+ s$/m);
  const now = (await getBackup('nightly')).status.verified;
  assert.ok(Date.parse(now.verifiedAt) > Date.parse(earlier), 'a new verification');
});

test('a logical backup of one database to S3, with keys from a Secret that appear nowhere else', async () => {
  const keys = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  await kubectlOk(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3-keys', namespace: c.namespace }, stringData: keys }));
  const storage = { s3: { bucket: 'backups', prefix: 'prod', endpoint: 'http://10.244.0.1:15920', forcePathStyle: true, credentialsSecretRef: { name: 's3-keys' } } };
  assert.equal((await backup('adhoc', { method: 'logical', databases: ['app'], target: 'primary', storage })).code, 0);
  const b = await settled('adhoc');
  assert.equal(b.status.phase, 'Completed', JSON.stringify(b.status));
  assert.deepEqual(b.status.source, { instance: 0, role: 'primary' });
  assert.equal(b.metadata.finalizers, undefined, 'Retain: no finalizer');
  assert.ok(existsSync(join(s3.dir, 'backups', 'prod', c.name)), 'objects in the bucket');

  const job = await kubectlJson(['-n', c.namespace, 'get', 'job', 'adhoc-backup']);
  const text = JSON.stringify({ job, status: b.status, events: await backupEvents('adhoc') });
  assert.ok(!text.includes(keys.secretAccessKey), 'the key is in the Job, the status or an Event');
});

test('a backup to an S3 endpoint that is down is tried again, then fails with a clear message and lists nothing', async () => {
  const storage = { s3: { bucket: 'backups', prefix: 'down', endpoint: 'http://10.244.0.1:15921', forcePathStyle: true, credentialsSecretRef: { name: 's3-keys' } } };
  assert.equal((await backup('s3-down', { method: 'logical', target: 'primary', storage })).code, 0);
  const b = await settled('s3-down');
  assert.equal(b.status.phase, 'Failed');
  assert.match(b.status.message, /10\.244\.0\.1:15921|ECONNREFUSED/, b.status.message);
  const job = await kubectlJson(['-n', c.namespace, 'get', 'job', 's3-down-backup']);
  assert.equal(job.status.failed, 3, 'three tries (backoffLimit 2)');
  assert.ok(!existsSync(join(s3.dir, 'backups', 'down')), 'nothing stored');
});

test('a backup with two storages fails at once naming the field; no Job is created', async () => {
  assert.equal((await backup('twice', { storage: { pvc: { claimName: 'backups' }, s3: { bucket: 'backups', credentialsSecretRef: { name: 's3-keys' } } } })).code, 0);
  const b = await settled('twice');
  assert.equal(b.status.phase, 'Failed');
  assert.match(b.status.message, /^spec\.storage: must name exactly one of s3, pvc or local, not s3 and pvc$/);
  assert.equal((await kubectl(['-n', c.namespace, 'get', 'job', 'twice-backup'])).code, 1, 'no Job');
  assert.ok((await backupEvents('twice')).some((e) => e.type === 'Warning' && e.reason === 'InvalidSpec'));
});

test('a schedule every minute with keep 2 leaves exactly two backups and their files; suspended, it plans no next run', async () => {
  const storage = { pvc: { claimName: 'backups', path: '/scheduled' } };
  const schedule = (suspend: boolean) => kubectlOk(['apply', '-f', '-'], stringify({
    apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLBackupSchedule', metadata: { name: 'every-minute', namespace: c.namespace },
    spec: { clusterName: c.name, schedule: '* * * * *', keep: 2, suspend, backupTemplate: { method: 'logical', storage, deletionPolicy: 'Delete' } },
  }));
  const owned = async () => ((await kubectlJson(['-n', c.namespace, 'get', 'mysqlbackup', '-l', 'ordinal.dev/schedule=every-minute'])).items as any[]);
  await schedule(false);
  // Three runs completed, one of them deleted again: keep 2 at work.
  const deleted = await waitFor('three scheduled backups, the oldest deleted', async () => {
    const events = (await kubectlJson(['-n', c.namespace, 'get', 'events', '--field-selector', 'involvedObject.name=every-minute'])).items as Array<{ reason: string }>;
    return events.some((e) => e.reason === 'BackupDeleted') ? events : undefined;
  }, 400_000, describe, 2000);
  assert.ok(deleted.filter((e) => e.reason === 'BackupCreated').length >= 3);
  await schedule(true);
  const settledAll = await waitFor('the schedule\'s backups to settle at two', async () => {
    const items = await owned();
    return items.length === 2 && items.every((b) => b.status?.phase === 'Completed') ? items : undefined;
  }, 300_000, describe, 2000);
  const folders = readdirSync(join(claimDir, 'scheduled', c.name)).filter((f) => existsSync(join(claimDir, 'scheduled', c.name, f, 'manifest.json')));
  assert.deepEqual(folders.sort(), settledAll.map((b) => b.status.backupId).sort(), 'the files of exactly the two kept backups');
  const s = await kubectlJson(['-n', c.namespace, 'get', 'mysqlbackupschedule', 'every-minute']);
  assert.equal(s.status.suspended, true);
  assert.equal(s.status.nextScheduleTime, undefined);
  assert.ok(settledAll.some((b) => b.metadata.name === s.status.lastSuccessfulBackup));
});

test('kubectl ordinal backup copies the schedule\'s settings; kubectl ordinal restore refuses a name in use before creating anything', async () => {
  const r = await kubectlOrdinal(['backup', c.name, '-n', c.namespace, '--timeout', '600']);
  assert.equal(r.code, 0, `${r.stderr}\n${await describe()}`);
  const name = /mysqlbackup\/(\S+) created/.exec(r.stdout)![1];
  const b = await getBackup(name);
  assert.equal(b.status.phase, 'Completed');
  assert.equal(b.spec.method, 'logical', 'the schedule\'s method');
  assert.deepEqual(b.spec.storage, { pvc: { claimName: 'backups', path: '/scheduled' } }, 'the schedule\'s storage');
  const taken = await kubectlOrdinal(['restore', c.name, '--as', c.name, '-n', c.namespace]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, new RegExp(`--as: a MySQLCluster ${c.namespace}/${c.name} exists`));
  assert.equal((await kubectl(['-n', c.namespace, 'get', 'mysqlrestore', `${c.name}-restore`])).code, 1, 'no MySQLRestore was created');
  const badTime = await kubectlOrdinal(['restore', c.name, '--as', 'other', '--point-in-time', 'yesterday', '-n', c.namespace]);
  assert.equal(badTime.code, 2);
  assert.match(badTime.stderr, /--point-in-time: must be an RFC 3339 time/);
  assert.equal((await kubectlOk(['-n', c.namespace, 'delete', 'mysqlbackup', name])).length > 0, true);
});

const restore = (name: string, spec: Record<string, unknown>) =>
  kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLRestore', metadata: { name, namespace: c.namespace }, spec }));
const restoreSettled = (name: string) => waitFor(`restore ${name} to finish`, async () => {
  const r = await kubectlJson(['-n', c.namespace, 'get', 'mysqlrestore', name]);
  return ['Completed', 'Failed'].includes(r.status?.phase) ? r : undefined;
}, 600_000, describe, 2000);

test('a restore of the physical backup creates a new cluster holding the backup, with all its instances', async () => {
  const backupGtid = (await getBackup('nightly')).status.gtid;
  assert.equal((await restore('back', { clusterName: 'bk2', backupName: 'nightly' })).code, 0);
  const r = await restoreSettled('back');
  assert.equal(r.status.phase, 'Completed', JSON.stringify(r.status));
  // At or past the recorded position: a replica applying in parallel can commit past
  // mariadb-backup's record, and the restore reports what the data holds (backup/seed.ts).
  const seq = (g: string) => Number(g.split('-')[2]);
  assert.ok(seq(r.status.gtid) >= seq(backupGtid) && seq(backupGtid) > 0, `restored at ${r.status.gtid}, the backup recorded ${backupGtid}`);
  const restored = new KubeCluster('bk2', c.namespace);
  const s = await restored.healthy(2);
  const [a] = await c.instanceQuery(0, 'CHECKSUM TABLE app.static');
  const [b] = await restored.instanceQuery(s.primary!, 'CHECKSUM TABLE app.static');
  assert.equal(b.Checksum, a.Checksum);
  const [other] = await restored.instanceQuery(s.primary === 0 ? 1 : 0, 'CHECKSUM TABLE app.static');
  assert.equal(other.Checksum, a.Checksum, 'the replica was cloned from the restored instance');
  const reasons = (await kubectlJson(['-n', c.namespace, 'get', 'events', '--field-selector', 'involvedObject.name=back,involvedObject.kind=MySQLRestore'])).items.map((e: { reason: string }) => e.reason);
  assert.ok(['Restoring', 'ClusterCreated', 'Completed'].every((x) => reasons.includes(x)), reasons.join(','));
});

test('restores that cannot work are refused and create nothing: an existing name, a target with no archive', async () => {
  assert.equal((await restore('onto-existing', { clusterName: c.name, backupName: 'nightly' })).code, 0);
  const taken = await restoreSettled('onto-existing');
  assert.equal(taken.status.phase, 'Failed');
  assert.match(taken.status.message, /^spec\.clusterName: that cluster exists/);
  assert.equal((await restore('no-archive', { clusterName: 'bk3', backupName: 'nightly', pointInTime: new Date().toISOString() })).code, 0);
  const noArchive = await restoreSettled('no-archive');
  assert.equal(noArchive.status.phase, 'Failed');
  assert.match(noArchive.status.message, /^spec\.archive: /);
  for (const what of ['mysqlcluster/bk3', 'pvc/data-bk3-0', 'secret/bk3-secrets', 'job/no-archive-restore']) {
    assert.equal((await kubectl(['-n', c.namespace, 'get', what])).code, 1, `${what} was created`);
  }
});

test('deleting a backup with deletionPolicy Delete deletes its files, then the object', async () => {
  const b = await getBackup('nightly');
  const folder = join(claimDir, 'prod', b.status.folder);
  assert.ok(existsSync(join(folder, 'manifest.json')));
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlbackup', 'nightly', '--wait=false']);
  await waitFor('the backup object to be gone', async () => ((await kubectl(['-n', c.namespace, 'get', 'mysqlbackup', 'nightly'])).code === 1 ? true : undefined), 300_000, describe, 1000);
  assert.ok(!existsSync(join(folder, 'manifest.json')), 'the manifest is deleted');
  assert.ok(!existsSync(join(folder, 'data.xbstream.zst')), 'the data is deleted');
});

// Last, while the operator still runs: backups with deletionPolicy Delete hold a finalizer
// that only the operator removes, so the namespace can go after this.
test('deleting the schedule keeps its backups; deleting those deletes their files', async () => {
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlbackupschedule', 'every-minute', '--wait=true']);
  const left = (await kubectlJson(['-n', c.namespace, 'get', 'mysqlbackup', '-l', 'ordinal.dev/schedule=every-minute'])).items;
  assert.equal(left.length, 2, 'a schedule deleted deletes no backup');
  await kubectlOk(['-n', c.namespace, 'delete', 'mysqlbackup', '--all', '--wait=true', '--timeout=300s']);
  const dir = join(claimDir, 'scheduled', c.name);
  const manifests = existsSync(dir) ? readdirSync(dir).filter((f) => existsSync(join(dir, f, 'manifest.json'))) : [];
  assert.deepEqual(manifests, []);
});
