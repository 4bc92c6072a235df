// What the operator's Jobs (backup, delete, restore) read and write in their pod: the mounted
// cluster Secret, one file per key, and the outcome as the termination message, which the
// kubelet keeps (4 KiB) and the operator reads from the pod's status.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHIVE_MOUNT, BACKUP_MOUNT } from '../../builders/names.js';

export const SECRETS_MOUNT = '/etc/ordinal/secrets';
export const REQUEST_ENV = 'ORDINAL_JOB_REQUEST';

export interface JobEnv {
  secretsDir: string;
  /** Where the backup storage's claim is mounted. */
  pvcMount: string;
  /** Where the archive's claim is mounted, when it is another one. */
  archiveMount: string;
  scratch: string;
  terminationLog: string;
}

export const JOB_ENV_DEFAULTS: JobEnv = {
  secretsDir: SECRETS_MOUNT,
  pvcMount: BACKUP_MOUNT,
  archiveMount: ARCHIVE_MOUNT,
  scratch: '/tmp/ordinal-job',
  terminationLog: '/dev/termination-log',
};

export function readSecretFile(dir: string, key: string): string {
  const file = join(dir, key);
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the cluster's secret ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (!value) throw new Error(`the cluster's secret ${file} is empty`);
  return value;
}

/** Run the work and write its outcome, a failure included, as the termination message. */
export async function withOutcome<T extends { ok: true }>(env: JobEnv, work: () => Promise<T>): Promise<T | { ok: false; error: string }> {
  let result: T | { ok: false; error: string };
  try {
    result = await work();
  } catch (err) {
    result = { ok: false, error: (err as Error).message.slice(0, 3000) };
  }
  writeFileSync(env.terminationLog, JSON.stringify(result));
  return result;
}
