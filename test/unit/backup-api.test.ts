import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBackup } from '../../src/api/backup.js';
import { validateRestore } from '../../src/api/restore.js';
import { validateSchedule } from '../../src/api/schedule.js';
import { cronProblem } from '../../src/api/cron.js';
import { kubeClusterErrors, parseCluster, type FieldError, type Validated } from '../../src/api/validate.js';

/** Messages as JSON Schema / TypeBox word them: none may reach a person. */
const RAW = /must match pattern|schema is false|must be equal to|must not have additional|must have required|must be (integer|string|boolean|number|object|array|null)\b|must be [<>]=?|anyOf|oneOf/i;

// An `undefined` field in a case means "leave it out", as in a real document.
const json = <T>(doc: T): T => JSON.parse(JSON.stringify(doc));
const header = (kind: string) => ({ apiVersion: 'ordinal.dev/v1alpha1', kind, metadata: { name: 'nightly' } });
const s3 = { bucket: 'db-backups', credentialsSecretRef: { name: 's3-creds' } };
const backup = (spec: Record<string, unknown> = {}) => json({ ...header('MySQLBackup'), spec: { clusterName: 'demo', storage: { s3 }, ...spec } });
const restore = (spec: Record<string, unknown> = {}) => json({ ...header('MySQLRestore'), spec: { clusterName: 'demo2', backupName: 'nightly', ...spec } });
const schedule = (spec: Record<string, unknown> = {}) => json({
  ...header('MySQLBackupSchedule'),
  spec: { clusterName: 'demo', schedule: '0 3 * * *', backupTemplate: { storage: { pvc: { claimName: 'backups' } } }, ...spec },
});

type Validate = (doc: unknown) => Validated<unknown>;
const validators: Record<string, Validate> = { MySQLBackup: validateBackup, MySQLRestore: validateRestore, MySQLBackupSchedule: validateSchedule };

interface BadCase { name: string; doc: { kind: string } | null; kind?: string; path: string; message: RegExp }

const bad: BadCase[] = [
  // MySQLBackup
  { name: 'backup: not an object', doc: null, kind: 'MySQLBackup', path: '(document)', message: /must be a YAML or JSON object .*MySQLBackup/ },
  { name: 'backup: wrong kind', doc: { ...backup(), kind: 'MySQLBackups' }, kind: 'MySQLBackup', path: 'kind', message: /must be "MySQLBackup"/ },
  { name: 'backup: no clusterName', doc: backup({ clusterName: undefined }), path: 'spec.clusterName', message: /is required/ },
  { name: 'backup: clusterName upper case', doc: backup({ clusterName: 'Demo' }), path: 'spec.clusterName', message: /must be a DNS label/ },
  { name: 'backup: no storage backend', doc: backup({ storage: {} }), path: 'spec.storage', message: /must name where backups go: s3 .*, pvc .* or, in the sandbox, local/ },
  { name: 'backup: both storage backends', doc: backup({ storage: { s3, pvc: { claimName: 'b' } } }), path: 'spec.storage', message: /exactly one of s3, pvc or local, not s3 and pvc/ },
  { name: 'backup: unknown storage backend', doc: backup({ storage: { gcs: {} } }), path: 'spec.storage.gcs', message: /is not a known field/ },
  { name: 'backup: bad bucket', doc: backup({ storage: { s3: { ...s3, bucket: 'My_Bucket' } } }), path: 'spec.storage.s3.bucket', message: /must be an S3 bucket name/ },
  { name: 'backup: s3 without credentials', doc: backup({ storage: { s3: { bucket: 'b-1' } } }), path: 'spec.storage.s3.credentialsSecretRef', message: /is required on Kubernetes/ },
  { name: 'backup: a sandbox folder on Kubernetes', doc: backup({ storage: { local: { path: '/backups' } } }), path: 'spec.storage.local', message: /is a folder of the sandbox/ },
  { name: 'backup: endpoint without scheme', doc: backup({ storage: { s3: { ...s3, endpoint: 'minio:9000' } } }), path: 'spec.storage.s3.endpoint', message: /must be an http:\/\/ or https:\/\/ URL/ },
  { name: 'backup: forcePathStyle "yes"', doc: backup({ storage: { s3: { ...s3, forcePathStyle: 'yes' } } }), path: 'spec.storage.s3.forcePathStyle', message: /must be a boolean/ },
  { name: 'backup: pvc path escaping the volume', doc: backup({ storage: { pvc: { claimName: 'b', path: '/x/../etc' } } }), path: 'spec.storage.pvc.path', message: /must be an absolute folder inside the volume/ },
  { name: 'backup: relative pvc path', doc: backup({ storage: { pvc: { claimName: 'b', path: 'backups' } } }), path: 'spec.storage.pvc.path', message: /must be an absolute folder/ },
  { name: 'backup: method "snapshot"', doc: backup({ method: 'snapshot' }), path: 'spec.method', message: /must be physical \(mariadb-backup\) or logical \(mariadb-dump\)/ },
  { name: 'backup: target "any"', doc: backup({ target: 'any' }), path: 'spec.target', message: /must be replica, primary or preferReplica/ },
  { name: 'backup: databases of a physical backup', doc: backup({ databases: ['app'] }), path: 'spec.databases', message: /only with method logical/ },
  { name: 'backup: a database name with a quote', doc: backup({ method: 'logical', databases: ["a'b"] }), path: 'spec.databases[0]', message: /must be 1-64 letters, digits or underscores/ },
  { name: 'backup: deletionPolicy "Orphan"', doc: backup({ deletionPolicy: 'Orphan' }), path: 'spec.deletionPolicy', message: /must be Retain or Delete/ },
  { name: 'backup: typo in a field', doc: backup({ mehtod: 'logical' }), path: 'spec.mehtod', message: /did you mean "method"\?/ },

  // MySQLRestore
  { name: 'restore: neither backupName nor source', doc: restore({ backupName: undefined }), path: 'spec.backupName', message: /is required: name a MySQLBackup, or give spec.source/ },
  {
    name: 'restore: both backupName and source',
    doc: restore({ source: { storage: { s3 }, path: 'demo/1' } }),
    path: 'spec.source', message: /cannot be set together with spec.backupName/,
  },
  { name: 'restore: pointInTime and gtid', doc: restore({ pointInTime: '2024-01-31T12:00:00Z', gtid: '0-1-5' }), path: 'spec.gtid', message: /cannot be set together with spec.pointInTime/ },
  { name: 'restore: gtid of another domain', doc: restore({ gtid: '1-1-5' }), path: 'spec.gtid', message: /must be a GTID of domain 0/ },
  { name: 'restore: archive without a target', doc: restore({ archive: { storage: { pvc: { claimName: 'b' } } } }), path: 'spec.archive', message: /give spec.pointInTime or spec.gtid too/ },
  { name: 'restore: archive in a sandbox folder', doc: restore({ gtid: '0-1-5', archive: { storage: { local: { path: '/x' } } } }), path: 'spec.archive.storage.local', message: /is a folder of the sandbox/ },
  { name: 'restore: a bad cluster spec', doc: restore({ cluster: { spec: { replicas: 0 } } }), path: 'spec.cluster.spec.replicas', message: /must be at least 1/ },
  { name: 'restore: pointInTime not a time', doc: restore({ pointInTime: 'yesterday' }), path: 'spec.pointInTime', message: /must be an RFC 3339 time/ },
  { name: 'restore: source without path', doc: restore({ backupName: undefined, source: { storage: { s3 } } }), path: 'spec.source.path', message: /is required/ },
  { name: 'restore: source with two backends', doc: restore({ backupName: undefined, source: { storage: { s3, pvc: { claimName: 'b' } }, path: 'p' } }), path: 'spec.source.storage', message: /exactly one of s3, pvc or local/ },
  { name: 'restore: clusterName too long', doc: restore({ clusterName: 'a'.repeat(41) }), path: 'spec.clusterName', message: /at most 40 characters/ },

  // MySQLBackupSchedule
  { name: 'schedule: four fields', doc: schedule({ schedule: '0 3 * *' }), path: 'spec.schedule', message: /5 fields .*found 4/ },
  { name: 'schedule: hour 24', doc: schedule({ schedule: '0 24 * * *' }), path: 'spec.schedule', message: /field 2 \(hour\) "24" must be \*, a value in 0-23/ },
  { name: 'schedule: minute 60', doc: schedule({ schedule: '60 3 * * *' }), path: 'spec.schedule', message: /field 1 \(minute\) "60"/ },
  { name: 'schedule: day-of-month 0', doc: schedule({ schedule: '0 3 0 * *' }), path: 'spec.schedule', message: /field 3 \(day-of-month\)/ },
  { name: 'schedule: month 13', doc: schedule({ schedule: '0 3 * 13 *' }), path: 'spec.schedule', message: /field 4 \(month\)/ },
  { name: 'schedule: day-of-week 8', doc: schedule({ schedule: '0 3 * * 8' }), path: 'spec.schedule', message: /field 5 \(day-of-week\)/ },
  { name: 'schedule: step 0', doc: schedule({ schedule: '*/0 * * * *' }), path: 'spec.schedule', message: /field 1 \(minute\)/ },
  { name: 'schedule: backwards range', doc: schedule({ schedule: '0 3 * * 5-1' }), path: 'spec.schedule', message: /field 5 \(day-of-week\) has the range "5-1" backwards/ },
  { name: 'schedule: a macro', doc: schedule({ schedule: '@daily' }), path: 'spec.schedule', message: /5 fields/ },
  { name: 'schedule: not a string', doc: schedule({ schedule: 3 }), path: 'spec.schedule', message: /must be a cron expression of 5 fields/ },
  { name: 'schedule: keep 0', doc: schedule({ keep: 0 }), path: 'spec.keep', message: /must be at least 1/ },
  { name: 'schedule: keep 1001', doc: schedule({ keep: 1001 }), path: 'spec.keep', message: /must be at most 1000/ },
  { name: 'schedule: maxAge "30 days"', doc: schedule({ maxAge: '30 days' }), path: 'spec.maxAge', message: /must be a number of hours or days, such as "36h" or "30d"/ },
  { name: 'schedule: suspend "true"', doc: schedule({ suspend: 'true' }), path: 'spec.suspend', message: /must be a boolean/ },
  { name: 'schedule: template names a cluster', doc: schedule({ backupTemplate: { clusterName: 'x', storage: { pvc: { claimName: 'b' } } } }), path: 'spec.backupTemplate.clusterName', message: /is not a known field/ },
  { name: 'schedule: template dumps databases physically', doc: schedule({ backupTemplate: { databases: ['app'], storage: { pvc: { claimName: 'b' } } } }), path: 'spec.backupTemplate.databases', message: /only with method logical/ },
  { name: 'schedule: template without storage', doc: schedule({ backupTemplate: {} }), path: 'spec.backupTemplate.storage', message: /is required/ },
  { name: 'schedule: template with no backend', doc: schedule({ backupTemplate: { storage: {} } }), path: 'spec.backupTemplate.storage', message: /must name where backups go: s3 .*, pvc .* or, in the sandbox, local/ },
];

test(`bad documents (${bad.length})`, async (t) => {
  for (const c of bad) {
    await t.test(c.name, () => {
      const r = validators[c.kind ?? c.doc!.kind](c.doc);
      assert.equal(r.ok, false, 'accepted');
      const errors = (r as { errors: FieldError[] }).errors;
      const e = errors.find((x) => x.path === c.path);
      assert.ok(e, `no error at ${c.path}: ${JSON.stringify(errors)}`);
      assert.match(e.message, c.message);
      for (const x of errors) assert.doesNotMatch(x.message, RAW, `raw wording at ${x.path}`);
    });
  }
});

test('the minimal documents validate and get their defaults', async (t) => {
  await t.test('MySQLBackup', () => {
    const r = validateBackup(backup());
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.spec, { clusterName: 'demo', method: 'physical', target: 'replica', verify: false, deletionPolicy: 'Retain', storage: { s3: { ...s3, region: 'us-east-1', forcePathStyle: false } } });
  });
  await t.test('MySQLBackup on a PVC', () => {
    const r = validateBackup(backup({ storage: { pvc: { claimName: 'backups' } } }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.spec.storage, { pvc: { claimName: 'backups', path: '/' } });
  });
  await t.test('MySQLRestore', () => {
    const r = validateRestore(restore());
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.spec, { clusterName: 'demo2', backupName: 'nightly' });
  });
  await t.test('MySQLRestore from an explicit source', () => {
    const r = validateRestore(restore({ backupName: undefined, source: { storage: { pvc: { claimName: 'b', path: '/prod' } }, path: 'demo/20240101T030000Z' } }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.spec.source, { storage: { pvc: { claimName: 'b', path: '/prod' } }, path: 'demo/20240101T030000Z', method: 'physical' });
  });
  await t.test('MySQLBackupSchedule', () => {
    const r = validateSchedule(schedule());
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.spec, {
      clusterName: 'demo', schedule: '0 3 * * *', keep: 7, suspend: false,
      backupTemplate: { method: 'physical', target: 'replica', verify: false, deletionPolicy: 'Retain', storage: { pvc: { claimName: 'backups', path: '/' } } },
    });
  });
});

test('cron expressions', async (t) => {
  const good = ['* * * * *', '*/15 * * * *', '0 3 * * *', '0 0 1 1 0', '59 23 31 12 7', '0,30 8-18/2 * JAN-jun MON-FRI', '5 4 1-15/3 */2 sun', '00 03 01 01 *'];
  for (const expr of good) await t.test(`accepts "${expr}"`, () => assert.equal(cronProblem(expr), undefined));
  const badExprs = ['', '* * * * * *', '1-60 * * * *', '* * 32 * *', '* * * JANUARY *', '*/100 * * * *', '1,,2 * * * *', '-1 * * * *', ' 0 3 * * *', '0 3 * * * '];
  for (const expr of badExprs) await t.test(`refuses "${expr}"`, () => assert.notEqual(cronProblem(expr), undefined));
});

test('a MySQLCluster on Kubernetes: pitr storage as for backups, no sandbox schedule', () => {
  const spec = (o: object) => parseCluster({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: 'demo' }, spec: { replicas: 3, ...o } }).spec;
  assert.deepEqual(kubeClusterErrors(spec({ pitr: { storage: { local: { path: '/wal' } } } })), [{ path: 'spec.pitr.storage.local', message: 'is a folder of the sandbox; on Kubernetes use s3 or pvc' }]);
  assert.deepEqual(kubeClusterErrors(spec({ pitr: { storage: { s3: { bucket: 'wal' } } } })).map((e) => e.path), ['spec.pitr.storage.s3.credentialsSecretRef']);
  assert.deepEqual(kubeClusterErrors(spec({ backupSchedule: { schedule: '0 3 * * *', location: 'file:///b' } })).map((e) => e.path), ['spec.backupSchedule']);
  assert.deepEqual(kubeClusterErrors(spec({ pitr: { storage: { pvc: { claimName: 'wal' } } } })), []);
});

test('examples/kubernetes-backup.yaml: every document is valid', async () => {
  const { parseAllDocuments } = await import('yaml');
  const { readFileSync } = await import('node:fs');
  const docs = parseAllDocuments(readFileSync(new URL('../../examples/kubernetes-backup.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  const check: Record<string, (d: unknown) => { ok: boolean }> = { MySQLBackup: validateBackup, MySQLBackupSchedule: validateSchedule, MySQLRestore: validateRestore };
  const kinds = docs.map((d) => d.kind);
  assert.deepEqual(kinds, ['PersistentVolumeClaim', 'MySQLBackup', 'MySQLBackupSchedule', 'MySQLRestore']);
  for (const d of docs.filter((x) => check[x.kind])) assert.ok(check[d.kind](d).ok, `${d.kind} ${d.metadata.name}: ${JSON.stringify(check[d.kind](d))}`);
});
