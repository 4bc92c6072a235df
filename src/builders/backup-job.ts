// The Jobs that move backups: take one, delete one, restore one into a new cluster's first
// claim. Each is the Ordinal image running `ordinal job` with its request in one env value
// (no secret in it), and mounts only what it needs: the cluster's passwords, the claims of
// pvc storage; S3 keys reach it as environment variables from the Secret the spec names,
// never as arguments. Each belongs to the object it works for.
import { API_VERSION } from '../api/cluster.js';
import type { BackupStorage } from '../api/storage.js';
import type { BackupJobRequest } from '../platform/kube/backup-job.js';
import { REQUEST_ENV, SECRETS_MOUNT } from '../platform/kube/job-io.js';
import { ARCHIVE_KEY_ENV, type RestoreJobRequest } from '../platform/kube/restore-job.js';
import { ARCHIVE_MOUNT, BACKUP_MOUNT, namesOf } from './names.js';
import { ORDINAL } from './statefulset.js';

export const BACKUP_LABEL = 'ordinal.dev/backup';
export const RESTORE_LABEL = 'ordinal.dev/restore';

export interface JobOwner {
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

export interface JobImage {
  image: string;
  imagePullPolicy?: string;
}

/** `NAME-backup` takes a backup, `NAME-delete` deletes its files, `NAME-restore` restores one. */
export function jobName(owner: string, action: BackupJobRequest['action'] | RestoreJobRequest['action']): string {
  return `${owner}-${action === 'take' ? 'backup' : action}`;
}

interface Access {
  env: object[];
  volumes: object[];
  mounts: object[];
}

/** What reaching a storage takes: its claim mounted at `mount`, or its S3 keys as env. */
function storageAccess(storage: BackupStorage, volume: string, mount: string, keyEnv = { id: 'AWS_ACCESS_KEY_ID', secret: 'AWS_SECRET_ACCESS_KEY' }): Access {
  const ref = storage.s3?.credentialsSecretRef;
  if (ref) {
    return {
      env: [
        { name: keyEnv.id, valueFrom: { secretKeyRef: { name: ref.name, key: 'accessKeyId' } } },
        { name: keyEnv.secret, valueFrom: { secretKeyRef: { name: ref.name, key: 'secretAccessKey' } } },
      ],
      volumes: [],
      mounts: [],
    };
  }
  if (storage.pvc) return { env: [], volumes: [{ name: volume, persistentVolumeClaim: { claimName: storage.pvc.claimName } }], mounts: [{ name: volume, mountPath: mount }] };
  return { env: [], volumes: [], mounts: [] };
}

function secretsAccess(cluster: string, namespace: string, keys?: string[]): Access {
  const secretName = namesOf(cluster, namespace).secrets;
  return {
    env: [],
    volumes: [{ name: 'secrets', secret: { secretName, defaultMode: 0o400, ...(keys ? { items: keys.map((key) => ({ key, path: key })) } : {}) } }],
    mounts: [{ name: 'secrets', mountPath: SECRETS_MOUNT, readOnly: true }],
  };
}

function job(owner: JobOwner, name: string, labels: Record<string, string>, request: object, image: JobImage, access: Access[]) {
  const all = [{ env: [{ name: REQUEST_ENV, value: JSON.stringify(request) }], volumes: [{ name: 'scratch', emptyDir: {} }], mounts: [{ name: 'scratch', mountPath: '/tmp' }] }, ...access];
  const allLabels = { 'app.kubernetes.io/managed-by': 'ordinal', ...labels };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: owner.namespace,
      labels: allLabels,
      ownerReferences: [{ apiVersion: API_VERSION, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      // A storage that is down gets two more tries, seconds apart (the Job's back-off).
      backoffLimit: 2,
      template: {
        metadata: { labels: allLabels },
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'job',
            image: image.image,
            ...(image.imagePullPolicy ? { imagePullPolicy: image.imagePullPolicy } : {}),
            command: [...ORDINAL, 'job'],
            env: all.flatMap((a) => a.env),
            volumeMounts: all.flatMap((a) => a.mounts),
            terminationMessagePolicy: 'File',
          }],
          volumes: all.flatMap((a) => a.volumes),
        },
      },
    },
  };
}

export function backupJob(owner: Omit<JobOwner, 'kind'>, request: BackupJobRequest, image: JobImage) {
  const access = [storageAccess(request.storage, 'storage', BACKUP_MOUNT)];
  // A delete needs no password.
  if (request.action === 'take') access.push(secretsAccess(request.cluster, owner.namespace, ['operator', 'agent-token']));
  const labels = { 'app.kubernetes.io/name': 'ordinal-backup', [BACKUP_LABEL]: owner.name };
  return job({ kind: 'MySQLBackup', ...owner }, jobName(owner.name, request.action), labels, request, image, access);
}

/** Mounts the new cluster's first claim where its mysql container will, and its passwords. */
export function restoreJob(owner: Omit<JobOwner, 'kind'>, request: RestoreJobRequest, image: JobImage) {
  const n = namesOf(request.cluster, owner.namespace);
  const access = [
    { env: [], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: n.pvc(0) } }], mounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] },
    secretsAccess(request.cluster, owner.namespace),
    storageAccess(request.storage, 'storage', BACKUP_MOUNT),
  ];
  const archive = request.archive;
  const sameClaim = archive?.pvc && request.storage.pvc && archive.pvc.claimName === request.storage.pvc.claimName;
  if (archive && !sameClaim) access.push(storageAccess(archive, 'archive', ARCHIVE_MOUNT, ARCHIVE_KEY_ENV));
  const labels = { 'app.kubernetes.io/name': 'ordinal-restore', [RESTORE_LABEL]: owner.name };
  return job({ kind: 'MySQLRestore', ...owner }, jobName(owner.name, request.action), labels, request, image, access);
}
