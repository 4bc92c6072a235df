// A spec's storage section as a Location. Credentials from a Kubernetes Secret are passed in
// by the caller; without them the S3 client uses the standard AWS chain.
import type { BackupStorage } from '../api/storage.js';
import type { Location } from './location.js';

export function locationOf(storage: BackupStorage, opts: { pvcMount?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Location {
  if (storage.local) return { kind: 'file', dir: storage.local.path.replace(/\/+$/, '') || '/' };
  if (storage.s3) {
    const s3 = storage.s3;
    return {
      kind: 's3',
      bucket: s3.bucket,
      prefix: (s3.prefix ?? '').replace(/^\/+|\/+$/g, ''),
      endpoint: s3.endpoint?.replace(/\/+$/, ''),
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      credentials: opts.credentials,
    };
  }
  if (storage.pvc && opts.pvcMount) return { kind: 'file', dir: `${opts.pvcMount}${storage.pvc.path}`.replace(/\/+$/, '') || '/' };
  throw new Error('this storage cannot be reached from here: a PersistentVolumeClaim exists only on Kubernetes');
}
