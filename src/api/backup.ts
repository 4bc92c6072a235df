// The MySQLBackup resource: one backup of one cluster, to S3 or to a PersistentVolumeClaim.
// Patterns here also end up in the CRD, where the API server runs them with RE2: no lookarounds.
import Type, { type Static } from 'typebox';
import { resource } from './cluster.js';
import { dnsLabel, section } from './common.js';
import { validateResource, type FieldError, type Validated } from './validate.js';

export const BACKUP_KIND = 'MySQLBackup';

export const S3Storage = section({
  bucket: Type.String({
    pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
    errorMessage: 'must be an S3 bucket name: 3-63 lower-case letters, digits, "." and "-"',
  }),
  prefix: Type.Optional(Type.String({
    pattern: '^[A-Za-z0-9_][A-Za-z0-9_./-]*$',
    maxLength: 512,
    description: 'key prefix of every object of the backup, such as "prod/db"',
    errorMessage: 'must be an S3 key prefix of letters, digits, "_", ".", "/" and "-", not starting with "/" or "."',
  })),
  endpoint: Type.Optional(Type.String({
    pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$',
    description: 'an S3-compatible service (MinIO, Ceph ...); unset means AWS',
    errorMessage: 'must be an http:// or https:// URL with a host and an optional port, such as "http://minio.minio:9000"',
  })),
  region: Type.String({
    pattern: '^[a-z0-9-]{1,32}$',
    default: 'us-east-1',
    errorMessage: 'must be a region name such as "eu-west-1"',
  }),
  // MinIO and most S3-compatible services need path-style URLs (no bucket in the host name).
  forcePathStyle: Type.Boolean({ default: false }),
  credentialsSecretRef: section({
    name: dnsLabel({ description: 'Secret with the keys accessKeyId and secretAccessKey' }),
  }),
});

export const PvcStorage = section({
  claimName: dnsLabel({ description: 'an existing PersistentVolumeClaim in the namespace of the backup' }),
  path: Type.String({
    pattern: '^/([A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/?)?$',
    default: '/',
    description: 'folder inside the volume',
    errorMessage: 'must be an absolute folder inside the volume, such as "/backups/prod"; segments may not start with "."',
  }),
});

/** Where backups are written. Exactly one of s3 or pvc (checked in storageErrors). */
export const BackupStorage = section({
  s3: Type.Optional(S3Storage),
  pvc: Type.Optional(PvcStorage),
});

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
export type BackupStorage = Static<typeof BackupStorage>;

export function validateBackup(doc: unknown): Validated<MySQLBackup> {
  return validateResource<MySQLBackup>(MySQLBackup, doc, BACKUP_KIND, (b) => storageErrors(b.spec.storage, 'spec.storage'));
}

/** A storage must name exactly one backend; an object with both or neither is ambiguous. */
export function storageErrors(storage: BackupStorage | undefined, path: string): FieldError[] {
  if (!storage || typeof storage !== 'object' || Array.isArray(storage)) return [];
  const set = (['s3', 'pvc'] as const).filter((k) => storage[k] !== undefined);
  if (set.length === 1) return [];
  return [{
    path,
    message: set.length === 0
      ? 'must name where backups go: either s3 {bucket, credentialsSecretRef ...} or pvc {claimName}'
      : 'must name exactly one of s3 or pvc, not both',
  }];
}
