// The Job that takes (or deletes) one backup: the Ordinal image running `ordinal backup-job`.
// It mounts only what it needs: the cluster's operator password and agent token, the claim
// of pvc storage; S3 keys reach it as environment variables from the Secret the spec names,
// never as arguments or in the request. It belongs to its MySQLBackup.
import { API_VERSION } from '../api/cluster.js';
import { BACKUP_KIND } from '../api/backup.js';
import type { BackupStorage } from '../api/storage.js';
import { PVC_MOUNT, REQUEST_ENV, SECRETS_MOUNT, type BackupJobRequest } from '../platform/kube/backup-job.js';
import { namesOf } from './names.js';
import { ORDINAL } from './statefulset.js';

export const BACKUP_LABEL = 'ordinal.dev/backup';

export interface BackupOwner {
  name: string;
  namespace: string;
  uid: string;
}

/** `NAME-backup` takes it, `NAME-delete` deletes its files. */
export function backupJobName(backup: string, action: BackupJobRequest['action']): string {
  return `${backup}-${action === 'take' ? 'backup' : 'delete'}`;
}

export function backupJob(owner: BackupOwner, request: BackupJobRequest, o: { image: string; imagePullPolicy?: string; storage: BackupStorage }) {
  const secrets = namesOf(request.cluster, owner.namespace).secrets;
  const s3 = o.storage.s3?.credentialsSecretRef;
  const env = [
    { name: REQUEST_ENV, value: JSON.stringify(request) },
    ...(s3 ? [
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: s3.name, key: 'accessKeyId' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: s3.name, key: 'secretAccessKey' } } },
    ] : []),
  ];
  const volumes: object[] = [{ name: 'scratch', emptyDir: {} }];
  const mounts: object[] = [{ name: 'scratch', mountPath: '/tmp' }];
  if (request.action === 'take') {
    volumes.push({ name: 'secrets', secret: { secretName: secrets, defaultMode: 0o400, items: [{ key: 'operator', path: 'operator' }, { key: 'agent-token', path: 'agent-token' }] } });
    mounts.push({ name: 'secrets', mountPath: SECRETS_MOUNT, readOnly: true });
  }
  if (o.storage.pvc) {
    volumes.push({ name: 'storage', persistentVolumeClaim: { claimName: o.storage.pvc.claimName } });
    mounts.push({ name: 'storage', mountPath: PVC_MOUNT });
  }
  const labels = { 'app.kubernetes.io/name': 'ordinal-backup', 'app.kubernetes.io/managed-by': 'ordinal', [BACKUP_LABEL]: owner.name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: backupJobName(owner.name, request.action),
      namespace: owner.namespace,
      labels,
      ownerReferences: [{ apiVersion: API_VERSION, kind: BACKUP_KIND, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      // A storage that is down gets two more tries, seconds apart (the Job's back-off).
      backoffLimit: 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'backup',
            image: o.image,
            ...(o.imagePullPolicy ? { imagePullPolicy: o.imagePullPolicy } : {}),
            command: [...ORDINAL, 'backup-job'],
            env,
            volumeMounts: mounts,
            terminationMessagePolicy: 'File',
          }],
          volumes,
        },
      },
    },
  };
}
