// What a backup Job's pod runs (`ordinal job`): take one backup of a cluster into its
// storage, verify one (restore it in scratch space, check every table), or delete one. The
// operator writes the request (no secret in it) into the Job; the S3 keys come from the
// environment (a Secret the pod references), the cluster's passwords from its mounted Secret,
// a claim is mounted at BACKUP_MOUNT (job-io.ts).
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ClusterSpec } from '../../api/cluster.js';
import type { BackupStorage } from '../../api/storage.js';
import { parseCluster } from '../../api/validate.js';
import { describeLocation } from '../../backup/location.js';
import { backupFolder, MANIFEST, parseManifest, storedBytes, type BackupMethod, type Manifest } from '../../backup/manifest.js';
import { deleteBackup } from '../../backup/retention.js';
import { planDump, readSourceFacts } from '../../backup/source-facts.js';
import { locationOf } from '../../backup/storage-location.js';
import { joinKey, openStore } from '../../backup/store.js';
import { takeBackup } from '../../backup/take.js';
import { verifyBackup } from '../../backup/verify.js';
import { renderOptionFile } from '../../db/accounts.js';
import { withSession } from '../../db/connection.js';
import { OPERATOR_USER } from '../../db/dialect.js';
import { writeAtomic } from '../../mariadb/files.js';
import { privateServerConfig } from '../../mariadb/server-config.js';
import { readSecretFile, withOutcome, type JobEnv } from './job-io.js';

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
  | { action: 'delete'; cluster: string; storage: BackupStorage; id: string }
  | { action: 'verify'; cluster: string; storage: BackupStorage; id: string };

/** What status.verified records: a backup that could not be restored is an outcome too. */
export interface VerifiedSummary {
  ok: boolean;
  verifiedAt: string;
  seconds: number;
  gtid?: string;
  tables?: number;
  rows?: number;
  error?: string;
}

/** ok: the Job did its work; the verification itself may have failed. */
export type VerifyJobResult = { ok: true; verification: VerifiedSummary } | { ok: false; error: string };

/** The termination message: small (the kubelet keeps 4 KiB), no secret. */
export type BackupJobResult =
  | { ok: true; id: string; gtid: string; bytes: number; location: string; folder: string; startTime: string; endTime: string; serverVersion: string }
  | { ok: true; deleted: string }
  | { ok: false; error: string };

export function runBackupJob(req: BackupJobRequest, env: JobEnv, say: (line: string) => void): Promise<BackupJobResult | VerifyJobResult> {
  if (req.action === 'verify') return verify(req, env, say);
  return withOutcome<Extract<BackupJobResult, { ok: true }>>(env, () => (req.action === 'take' ? take(req, env, say) : remove(req, env)));
}

async function take(req: Extract<BackupJobRequest, { action: 'take' }>, env: JobEnv, say: (line: string) => void) {
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

function verify(req: Extract<BackupJobRequest, { action: 'verify' }>, env: JobEnv, say: (line: string) => void): Promise<VerifyJobResult> {
  return withOutcome<Extract<VerifyJobResult, { ok: true }>>(env, async () => {
    const store = openStore(locationOf(req.storage, { pvcMount: env.pvcMount }));
    const folder = backupFolder(req.cluster, req.id);
    const text = await store.getText(joinKey(folder, MANIFEST));
    if (!text) throw new Error(`there is no backup at ${folder} in ${store.where} (no manifest)`);
    const manifest = parseManifest(text, joinKey(folder, MANIFEST));
    const spec = parseCluster({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: req.cluster }, spec: manifest.spec ?? {} }).spec;
    const scratch = join(env.scratch, 'verify');
    say(`verifying backup ${folder}: restoring it into a scratch data dir`);
    const v = await verifyBackup({
      store,
      manifest,
      scratch,
      osUser: userInfo().username,
      config: (datadir) => {
        const file = join(env.scratch, 'verify.cnf');
        writeAtomic(file, privateServerConfig(spec, datadir, env.scratch, userInfo().username, true));
        return file;
      },
    });
    say(v.ok ? `verified: ${v.tables} tables, GTID ${v.gtid}, in ${v.seconds.toFixed(1)} s` : `NOT restorable: ${v.error}`);
    const rows = v.rows ? Object.values(v.rows).reduce((a, b) => a + b, 0) : undefined;
    return { ok: true as const, verification: { ok: v.ok, verifiedAt: v.verifiedAt, seconds: v.seconds, gtid: v.gtid, tables: v.tables, rows, error: v.error?.slice(0, 2000) } };
  });
}

async function remove(req: Extract<BackupJobRequest, { action: 'delete' }>, env: JobEnv) {
  const store = openStore(locationOf(req.storage, { pvcMount: env.pvcMount }));
  const folder = backupFolder(req.cluster, req.id);
  const text = await store.getText(joinKey(folder, MANIFEST));
  // Already gone (or never completed): deleting is done.
  if (text) await deleteBackup(store, JSON.parse(text) as Manifest);
  else await store.remove((await store.list(`${folder}/`)).map((o) => o.key));
  return { ok: true as const, deleted: folder };
}
