// Where backups and archived binary logs live (S3, a PersistentVolumeClaim on Kubernetes, a
// local folder in the sandbox), and the two kinds of backup. Patterns here also end up in the CRDs, where the API server
// runs them with RE2: no lookarounds.
import Type, { type Static } from 'typebox';
import { dnsLabel, section } from './common.js';
import type { FieldError } from './validate.js';

export const BackupMethod = Type.Enum(['physical', 'logical'], {
  default: 'physical',
  description: 'physical: mariadb-backup (fast, whole server); logical: mariadb-dump (portable SQL)',
  errorMessage: 'must be physical (mariadb-backup) or logical (mariadb-dump)',
});

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
  // Required on Kubernetes; the sandbox takes the AWS environment or shared credentials file.
  credentialsSecretRef: Type.Optional(section({
    name: dnsLabel({ description: 'Secret with the keys accessKeyId and secretAccessKey' }),
  })),
});

/** An absolute folder whose segments do not start with "." (no ".." escapes). */
const ABSOLUTE_FOLDER = '^/([A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/?)?$';

export const PvcStorage = section({
  claimName: dnsLabel({ description: 'an existing PersistentVolumeClaim in the namespace of the backup' }),
  path: Type.String({
    pattern: ABSOLUTE_FOLDER,
    default: '/',
    description: 'folder inside the volume',
    errorMessage: 'must be an absolute folder inside the volume, such as "/backups/prod"; segments may not start with "."',
  }),
});

export const LocalStorage = section({
  path: Type.String({
    pattern: ABSOLUTE_FOLDER,
    description: 'sandbox only: an absolute folder on this machine',
    errorMessage: 'must be an absolute folder such as "/var/backups/ordinal"; segments may not start with "."',
  }),
});

/** Where backups and archived binary logs go. Exactly one backend (checked in storageErrors). */
export const BackupStorage = section({
  s3: Type.Optional(S3Storage),
  pvc: Type.Optional(PvcStorage),
  local: Type.Optional(LocalStorage),
});

export type BackupStorage = Static<typeof BackupStorage>;

/** A storage must name exactly one backend; an object with both or neither is ambiguous. */
export function storageErrors(storage: BackupStorage | undefined, path: string): FieldError[] {
  if (!storage || typeof storage !== 'object' || Array.isArray(storage)) return [];
  const set = (['s3', 'pvc', 'local'] as const).filter((k) => storage[k] !== undefined);
  if (set.length === 1) return [];
  return [{
    path,
    message: set.length === 0
      ? 'must name where backups go: s3 {bucket, credentialsSecretRef ...}, pvc {claimName} or, in the sandbox, local {path}'
      : `must name exactly one of s3, pvc or local, not ${set.join(' and ')}`,
  }];
}

/** The same for Kubernetes kinds: S3 credentials come from a Secret, and no local folder. */
export function kubeStorageErrors(storage: BackupStorage | undefined, path: string): FieldError[] {
  const errors = storageErrors(storage, path);
  if (errors.length || !storage || typeof storage !== 'object') return errors;
  if (storage.s3 && !storage.s3.credentialsSecretRef) {
    return [{ path: `${path}.s3.credentialsSecretRef`, message: 'is required on Kubernetes: a Secret with the keys accessKeyId and secretAccessKey' }];
  }
  if (storage.local) return [{ path: `${path}.local`, message: 'is a folder of the sandbox; on Kubernetes use s3 or pvc' }];
  return [];
}
