// What a backup Job's pod runs (`ordinal backup-job`): take one backup of a cluster into its
// storage, or delete one. The operator writes the request (no secret in it) into the Job;
// the S3 keys come from the environment (a Secret the pod references), the cluster's
// passwords from its mounted Secret, a claim is mounted at PVC_MOUNT. The outcome goes to the
// pod's termination message, where the operator reads it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpec } from '../../api/cluster.js';
import type { BackupStorage } from '../../api/storage.js';
import { renderOptionFile } from '../../db/accounts.js';
import { withSession } from '../../db/connection.js';
import { OPERATOR_USER } from '../../db/dialect.js';
import { writeAtomic } from '../../mariadb/files.js';
import { backupFolder, MANIFEST, storedBytes, type BackupMethod, type Manifest } from '../../backup/manifest.js';
import { describeLocation } from '../../backup/location.js';
import { deleteBackup } from '../../backup/retention.js';
import { planDump, readSourceFacts } from '../../backup/source-facts.js';
import { locationOf } from '../../backup/storage-location.js';
import { joinKey, openStore } from '../../backup/store.js';
import { takeBackup } from '../../backup/take.js';

export const PVC_MOUNT = '/var/lib/ordinal/backup';
export const SECRETS_MOUNT = '/etc/ordinal/secrets';
export const REQUEST_ENV = 'ORDINAL_BACKUP_REQUEST';

export type BackupJobRequest =
  | {
      action: 'take';
      cluster: string;
      method: BackupMethod;
      databases?: string[];
      storage: BackupStorage;
      source: { ordinal: number; role: 'primary' | 'replica'; host: string; port: number; agent: string };
      spec: ClusterSpec;
    }
  | { action: 'delete'; cluster: string; storage: BackupStorage; id: string };

/** The termination message: small (the kubelet keeps 4 KiB), no secret. */
export type BackupJobResult =
  | { ok: true; id: string; gtid: string; bytes: number; location: string; folder: string; startTime: string; endTime: string; serverVersion: string }
  | { ok: true; deleted: string }
  | { ok: false; error: string };

export interface BackupJobEnv {
  secretsDir: string;
  pvcMount: string;
  scratch: string;
  terminationLog: string;
}

export const JOB_ENV_DEFAULTS: BackupJobEnv = { secretsDir: SECRETS_MOUNT, pvcMount: PVC_MOUNT, scratch: '/tmp/ordinal-backup', terminationLog: '/dev/termination-log' };

export async function runBackupJob(req: BackupJobRequest, env: BackupJobEnv, say: (line: string) => void): Promise<BackupJobResult> {
  let result: BackupJobResult;
  try {
    result = req.action === 'take' ? await take(req, env, say) : await remove(req, env);
  } catch (err) {
    result = { ok: false, error: (err as Error).message.slice(0, 3000) };
  }
  writeFileSync(env.terminationLog, JSON.stringify(result));
  return result;
}

async function take(req: Extract<BackupJobRequest, { action: 'take' }>, env: BackupJobEnv, say: (line: string) => void) {
  const secret = (key: string) => readSecretFile(env.secretsDir, key);
  const operator = { user: OPERATOR_USER, password: secret('operator') };
  const optionFile = join(env.scratch, 'client.cnf');
  writeAtomic(optionFile, renderOptionFile(operator), 0o600);
  const endpoint = { host: req.source.host, port: req.source.port };
  const facts = await withSession(endpoint, operator, readSourceFacts, { deadlineMs: 30_000 });
  const { databases, estimate } = planDump(req.cluster, req.method, req.databases, facts, 'spec.databases');
  const location = locationOf(req.storage, { pvcMount: env.pvcMount });
  say(`backing up cluster ${req.cluster} (${req.method}) from instance ${req.source.ordinal} (${req.source.role}) to ${describeLocation(location)}`);
  let lastSaid = 0;
  const m: Manifest = await takeBackup({
    store: openStore(location),
    cluster: req.cluster,
    method: req.method,
    source: { ...endpoint, optionFile, datadir: '', instance: req.source.ordinal, role: req.source.role },
    agent: { agent: req.source.agent, token: secret('agent-token') },
    serverVersion: facts.version,
    databases,
    estimate,
    scratch: join(env.scratch, 'tools'),
    spec: req.spec,
    onProgress: (p) => {
      if (Date.now() - lastSaid < 10_000) return;
      lastSaid = Date.now();
      say(`stored ${(p.stored / 1e6).toFixed(1)} MB after ${p.seconds.toFixed(0)} s`);
    },
  });
  say(`backup ${m.id} done: GTID ${m.gtid || '(empty)'}, ${storedBytes(m)} bytes`);
  return {
    ok: true as const,
    id: m.id,
    gtid: m.gtid,
    bytes: storedBytes(m),
    location: describeLocation(location),
    folder: backupFolder(m.cluster, m.id),
    startTime: m.startTime,
    endTime: m.endTime,
    serverVersion: m.serverVersion,
  };
}

async function remove(req: Extract<BackupJobRequest, { action: 'delete' }>, env: BackupJobEnv) {
  const store = openStore(locationOf(req.storage, { pvcMount: env.pvcMount }));
  const folder = backupFolder(req.cluster, req.id);
  const text = await store.getText(joinKey(folder, MANIFEST));
  // Already gone (or never completed): deleting is done.
  if (text) await deleteBackup(store, JSON.parse(text) as Manifest);
  else await store.remove((await store.list(`${folder}/`)).map((o) => o.key));
  return { ok: true as const, deleted: folder };
}

function readSecretFile(dir: string, key: string): string {
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
