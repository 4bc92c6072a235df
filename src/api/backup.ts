// The MySQLBackup resource: one backup of one cluster, to S3 or to a PersistentVolumeClaim.
import Type, { type Static } from 'typebox';
import { resource } from './cluster.js';
import { dnsLabel, section } from './common.js';
import { BackupStorage, kubeStorageErrors } from './storage.js';
import { validateResource, type Validated } from './validate.js';

export const BACKUP_KIND = 'MySQLBackup';

export const BackupMethod = Type.Enum(['physical', 'logical'], {
  default: 'physical',
  description: 'physical: mariadb-backup (fast, whole server); logical: mariadb-dump (portable SQL)',
  errorMessage: 'must be physical (mariadb-backup) or logical (mariadb-dump)',
});

/** What a backup needs besides its cluster; MySQLBackupSchedule stamps it into each backup. */
export const backupTemplateFields = { storage: BackupStorage, method: BackupMethod };

export const BackupSpec = section({
  clusterName: dnsLabel({ maxLength: 40, description: 'the MySQLCluster to back up, in the same namespace' }),
  ...backupTemplateFields,
});

export const MySQLBackup = resource(BACKUP_KIND, BackupSpec);

export type MySQLBackup = Static<typeof MySQLBackup>;
export type BackupSpec = Static<typeof BackupSpec>;

export function validateBackup(doc: unknown): Validated<MySQLBackup> {
  return validateResource<MySQLBackup>(MySQLBackup, doc, BACKUP_KIND, (b) => kubeStorageErrors(b.spec.storage, 'spec.storage'));
}
