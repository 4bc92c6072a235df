// The MySQLBackup resource: one backup of one cluster, to S3 or to a PersistentVolumeClaim.
import Type, { type Static } from 'typebox';
import { resource } from './cluster.js';
import { dnsLabel, section, sqlIdentifier } from './common.js';
import { BackupMethod, BackupStorage, kubeStorageErrors } from './storage.js';
export { BackupMethod };
import { validateResource, type FieldError, type Validated } from './validate.js';

export const BACKUP_KIND = 'MySQLBackup';

/** What a backup needs besides its cluster; MySQLBackupSchedule stamps it into each backup. */
export const backupTemplateFields = {
  storage: BackupStorage,
  method: BackupMethod,
  target: Type.Enum(['replica', 'primary', 'preferReplica'], {
    default: 'replica',
    description: 'which instance is copied: a ready replica (the primary\'s clients do not pay), the primary, or a replica when one is ready',
    errorMessage: 'must be replica, primary or preferReplica',
  }),
  databases: Type.Optional(Type.Array(sqlIdentifier(), {
    minItems: 1,
    maxItems: 64,
    uniqueItems: true,
    description: 'logical only: the databases to dump (default: all but the system schemas)',
  })),
  verify: Type.Boolean({
    default: false,
    description: 'true: once taken, the backup is restored in a scratch Job, every table checked and the GTID compared (status.verified)',
  }),
  deletionPolicy: Type.Enum(['Retain', 'Delete'], {
    default: 'Retain',
    description: 'Delete: deleting the MySQLBackup deletes its stored files too',
    errorMessage: 'must be Retain or Delete',
  }),
};

/** Fields of a backup's spec that only make sense together. */
export function templateErrors(t: { method?: string; databases?: string[] } | undefined, path: string): FieldError[] {
  if (t?.databases && t.method !== 'logical') return [{ path: `${path}.databases`, message: 'names databases to dump: only with method logical (a physical backup copies the whole server)' }];
  return [];
}

export const BackupSpec = section({
  clusterName: dnsLabel({ maxLength: 40, description: 'the MySQLCluster to back up, in the same namespace' }),
  ...backupTemplateFields,
});

export const MySQLBackup = resource(BACKUP_KIND, BackupSpec);

export type MySQLBackup = Static<typeof MySQLBackup>;
export type BackupSpec = Static<typeof BackupSpec>;

export function validateBackup(doc: unknown): Validated<MySQLBackup> {
  return validateResource<MySQLBackup>(MySQLBackup, doc, BACKUP_KIND, (b) => [
    ...kubeStorageErrors(b.spec.storage, 'spec.storage'),
    ...templateErrors(b.spec, 'spec'),
  ]);
}
