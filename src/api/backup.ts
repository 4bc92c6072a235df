// The MySQLBackup resource: one backup of one cluster, to S3 or to a PersistentVolumeClaim.
import Type, { type Static } from 'typebox';
import { resource } from './cluster.js';
import { dnsLabel, section } from './common.js';
import { BackupMethod, BackupStorage, kubeStorageErrors } from './storage.js';
export { BackupMethod };
import { validateResource, type Validated } from './validate.js';

export const BACKUP_KIND = 'MySQLBackup';

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
