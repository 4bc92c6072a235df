// What a restore Job's pod runs (`ordinal job`): build the data dir of a new cluster's
// instance 0 on its claim (data-NAME-0, mounted where the pod's mysql container mounts it)
// from a backup, replaying the archived binary logs up to a target when one is given. The
// first-start SQL makes the binary log begin where the restored history ends; the new
// cluster's pods then find data on instance 0 and clone the others from it.
import { mkdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ClusterSpec } from '../../api/cluster.js';
import type { BackupStorage } from '../../api/storage.js';
import { parseCluster } from '../../api/validate.js';
import { agentConfig } from '../../agent/config.js';
import { giveToServer } from '../../agent/os-user.js';
import { accountsFor } from '../../agent/secrets.js';
import { MANIFEST, parseManifest } from '../../backup/manifest.js';
import { openArchive, replayTarget, restoreData } from '../../backup/restore-data.js';
import { locationOf } from '../../backup/storage-location.js';
import { joinKey, openStore } from '../../backup/store.js';
import { cloneInitSql } from '../../mariadb/backup-tools.js';
import { hasData } from '../../mariadb/datadir.js';
import { writeAtomic } from '../../mariadb/files.js';
import { privateServerConfig } from '../../mariadb/server-config.js';
import { withOutcome, type JobEnv } from './job-io.js';

export const ARCHIVE_KEY_ENV = { id: 'ORDINAL_ARCHIVE_ACCESS_KEY_ID', secret: 'ORDINAL_ARCHIVE_SECRET_ACCESS_KEY' };

export interface RestoreJobRequest {
  action: 'restore';
  /** The new cluster. */
  cluster: string;
  storage: BackupStorage;
  /** The backup's folder in the storage, CLUSTER/ID. */
  folder: string;
  pointInTime?: string;
  gtid?: string;
  /** Where the archived binary logs are; default: the source cluster's spec.pitr.storage. */
  archive?: BackupStorage;
  /** The new cluster's spec; default: the one the backup recorded. */
  spec?: ClusterSpec;
}

export type RestoreJobResult =
  | { ok: true; gtid: string; backup: string; seconds: number; spec: ClusterSpec }
  | { ok: false; error: string };

export function runRestoreJob(req: RestoreJobRequest, env: JobEnv & { root?: string }, say: (line: string) => void): Promise<RestoreJobResult> {
  return withOutcome<Extract<RestoreJobResult, { ok: true }>>(env, () => restore(req, env, say));
}

async function restore(req: RestoreJobRequest, env: JobEnv & { root?: string }, say: (line: string) => void) {
  const cfg = agentConfig({ ORDINAL_AGENT_ROOT: env.root ?? '/', POD_NAME: `${req.cluster}-0`, CLUSTER_NAME: req.cluster, ORDINAL_PEERS: '' });
  // A retried Job finds the data it already built: done, not built twice over it.
  if (hasData(cfg.datadir)) throw new Error(`${cfg.datadir} holds data already; a restore only fills an empty claim`);
  const store = openStore(locationOf(req.storage, { pvcMount: env.pvcMount }));
  const text = await store.getText(joinKey(req.folder, MANIFEST));
  if (!text) throw new Error(`there is no backup at ${req.folder} in ${store.where} (no manifest)`);
  const manifest = parseManifest(text, joinKey(req.folder, MANIFEST));
  const specDoc = req.spec ?? manifest.spec;
  if (!specDoc) throw new Error(`backup ${req.folder} recorded no cluster spec: give spec.cluster`);
  const spec = parseCluster({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: req.cluster }, spec: specDoc }).spec;

  const target = replayTarget(req.pointInTime, req.gtid, { time: 'spec.pointInTime', gtid: 'spec.gtid' });
  let archive;
  if (target) {
    const where = req.archive ?? manifest.spec?.pitr?.storage;
    if (!where) throw new Error('spec.archive: the backup\'s cluster had no spec.pitr; name where its binary logs are archived');
    const keys = process.env[ARCHIVE_KEY_ENV.id] ? { accessKeyId: process.env[ARCHIVE_KEY_ENV.id]!, secretAccessKey: process.env[ARCHIVE_KEY_ENV.secret] ?? '' } : undefined;
    const sameClaim = where.pvc && req.storage.pvc && where.pvc.claimName === req.storage.pvc.claimName;
    archive = await openArchive(openStore(locationOf(where, { pvcMount: sameClaim ? env.pvcMount : env.archiveMount, credentials: keys })), manifest.cluster);
  }

  const defaultsFile = join(env.scratch, 'my.cnf');
  mkdirSync(env.scratch, { recursive: true });
  // The private runs are ours (as in the sandbox); the files go to mysql at the end.
  writeAtomic(defaultsFile, privateServerConfig(spec, cfg.datadir, env.scratch, userInfo().username));
  mkdirSync(cfg.dataVolume, { recursive: true });
  say(`restoring backup ${req.folder} (${manifest.method}, GTID ${manifest.gtid || '(empty)'}) into ${cfg.datadir}${target ? ` up to ${req.pointInTime ?? req.gtid}` : ''}`);
  let lastSaid = 0;
  const seeded = await restoreData({
    store,
    manifest,
    datadir: cfg.datadir,
    defaultsFile,
    osUser: userInfo().username,
    accounts: accountsFor(cfg, spec),
    scratch: join(env.scratch, 'restore'),
    pointInTime: archive && target ? { archive, target, field: req.pointInTime ? 'spec.pointInTime' : 'spec.gtid' } : undefined,
    onProgress: (what, bytes) => {
      if (Date.now() - lastSaid < 10_000) return;
      lastSaid = Date.now();
      say(`${what}: ${(bytes / 1e6).toFixed(1)} MB`);
    },
  });
  // First start: the binary log begins where the restored history ends.
  writeAtomic(cfg.initFile, cloneInitSql({ gtid: seeded.gtid, binlogState: seeded.gtid }), 0o600);
  await giveToServer(cfg.dataVolume);
  rmSync(join(env.scratch, 'restore'), { recursive: true, force: true });
  say(`restored at GTID ${seeded.gtid || '(empty)'} in ${seeded.seconds.toFixed(1)} s`);
  return { ok: true as const, gtid: seeded.gtid, backup: req.folder, seconds: seeded.seconds, spec: specDoc };
}
