// The MySQLRestore resource: a new cluster created from a backup, named by its MySQLBackup or
// by where its files are. Restoring over an existing cluster is not offered: a restore never
// destroys data.
import Type, { type Static } from 'typebox';
import { BackupMethod, BACKUP_KIND } from './backup.js';
import { BackupStorage, kubeStorageErrors } from './storage.js';
import { ClusterSpec, resource } from './cluster.js';
import { dnsLabel, section } from './common.js';
import { validateResource, type FieldError, type Validated } from './validate.js';

export const RESTORE_KIND = 'MySQLRestore';

/** A backup that has no MySQLBackup object (another namespace, another Kubernetes cluster). */
export const RestoreSource = section({
  storage: BackupStorage,
  path: Type.String({
    pattern: '^[A-Za-z0-9_][A-Za-z0-9_./-]*$',
    maxLength: 1024,
    description: "the backup's folder under the storage's prefix or path, as recorded in the backup's status",
    errorMessage: 'must be a relative path of letters, digits, "_", ".", "/" and "-", such as "demo/20240101T030000Z"',
  }),
  method: BackupMethod,
});

export const RestoreSpec = section({
  clusterName: dnsLabel({ maxLength: 40, description: 'the MySQLCluster to create from the backup; it must not exist yet' }),
  backupName: Type.Optional(dnsLabel({ description: 'a MySQLBackup in the same namespace' })),
  source: Type.Optional(RestoreSource),
  pointInTime: Type.Optional(Type.String({
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$',
    description: 'replay the archived binary logs up to this moment (whole seconds: a fraction is cut off)',
    errorMessage: 'must be an RFC 3339 time such as "2024-01-31T12:00:00Z"',
  })),
  gtid: Type.Optional(Type.String({
    pattern: '^0-[0-9]{1,10}-[0-9]{1,20}$',
    description: 'replay the archived binary logs up to and including this transaction of the cluster\'s domain 0',
    errorMessage: 'must be a GTID of domain 0 such as "0-1-4711"',
  })),
  archive: Type.Optional(section({ storage: BackupStorage }, { description: "where the binary logs are archived; default: the backup's cluster's spec.pitr.storage" })),
  cluster: Type.Optional(section({ spec: ClusterSpec }, { description: "the new cluster's spec; default: the spec of the backup's cluster" })),
});

export const MySQLRestore = resource(RESTORE_KIND, RestoreSpec);

export type MySQLRestore = Static<typeof MySQLRestore>;
export type RestoreSpec = Static<typeof RestoreSpec>;

export function validateRestore(doc: unknown): Validated<MySQLRestore> {
  return validateResource<MySQLRestore>(MySQLRestore, doc, RESTORE_KIND, (r) => restoreErrors(r.spec));
}

function restoreErrors(spec: RestoreSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.backupName !== undefined && spec.source !== undefined) {
    errors.push({ path: 'spec.source', message: 'cannot be set together with spec.backupName; choose one' });
  } else if (spec.backupName === undefined && spec.source === undefined) {
    errors.push({ path: 'spec.backupName', message: `is required: name a ${BACKUP_KIND}, or give spec.source (storage and path) instead` });
  }
  if (spec.pointInTime !== undefined && spec.gtid !== undefined) {
    errors.push({ path: 'spec.gtid', message: 'cannot be set together with spec.pointInTime; choose one target' });
  }
  if (spec.archive && spec.pointInTime === undefined && spec.gtid === undefined) {
    errors.push({ path: 'spec.archive', message: 'is only read to replay up to a target: give spec.pointInTime or spec.gtid too' });
  }
  if (spec.source && typeof spec.source === 'object') errors.push(...kubeStorageErrors(spec.source.storage, 'spec.source.storage'));
  if (spec.archive && typeof spec.archive === 'object') errors.push(...kubeStorageErrors(spec.archive.storage, 'spec.archive.storage'));
  return errors;
}
