// `ordinal local restore`: a new sandbox cluster from a backup, and with a target, from the
// binary log archive up to that point. Instance 0's data dir is built before the supervisor
// starts (backup/seed.ts, backup/replay.ts); the supervisor then makes it the first primary
// and clones the other instances from it. Everything is checked before anything is written
// (a target the archive does not cover is refused with the covered range), and a restore
// that fails removes the cluster it began.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { MySQLCluster } from '../api/cluster.js';
import { loadClusterFile, parseClusterText } from '../api/load.js';
import { listBackups } from '../backup/list.js';
import type { Location } from '../backup/location.js';
import { chooseBackup, type Manifest } from '../backup/manifest.js';
import { openArchive, restoreData, uncovered } from '../backup/restore-data.js';
import type { ReplayTarget } from '../backup/timeline.js';
import { openStore } from '../backup/store.js';
import { cloneInitSql } from '../mariadb/backup-tools.js';
import { writeAtomic } from '../platform/local/files.js';
import { osUser, writeInstanceConfig } from '../platform/local/mariadbd.js';
import { ClusterPaths } from '../platform/local/paths.js';
import { choosePorts } from '../platform/local/ports.js';
import { readPasswordFile } from '../platform/local/secrets.js';
import { startSupervisor } from '../platform/local/supervisor.js';
import { writeClusterFiles, type Applied } from './up.js';

export interface LocalRestoreOptions {
  from: Location;
  as: string;
  /** A backup's id (or CLUSTER/ID); default: the newest. */
  backup?: string;
  /** A MySQLCluster file for the new cluster; default: the spec the backup recorded. */
  file?: string;
  /** Replay the archived binary logs up to here (point-in-time recovery). */
  target?: ReplayTarget;
  /** Where the archive is; default: the backup's location. */
  archive?: Location;
  onProgress?: (what: string, bytes: number) => void;
}

export interface Restored extends Applied {
  manifest: Manifest;
  gtid: string;
}

export async function localRestore(o: LocalRestoreOptions): Promise<Restored> {
  const paths = new ClusterPaths(o.as);
  if (existsSync(paths.dir)) throw new Error(`--as: a cluster named "${o.as}" exists; a restore creates a new cluster, so choose another name`);
  const store = openStore(o.from);
  const { backups } = await listBackups(store);
  const target = o.target;
  const choice = chooseBackup(backups, { id: o.backup, before: target && 'time' in target ? target.time : undefined, upToSeq: target && 'seq' in target ? target.seq : undefined });
  if (!choice.ok) throw new Error(`${o.backup ? '--backup' : target ? targetFlag(target) : '--from'}: ${choice.reason} (in ${store.where})`);
  const manifest = choice.manifest;
  const archive = target ? await openArchive(openStore(o.archive ?? o.from), manifest.cluster) : undefined;
  // Refused before anything is created, with the range that is covered.
  const why = archive && target ? uncovered(archive, manifest, target) : undefined;
  if (why) throw new Error(`${targetFlag(target!)}: ${why}`);
  const { cluster, specDir } = newClusterDoc(o, manifest);
  const ports = await choosePorts(cluster.spec);

  let started: number | undefined;
  try {
    const secrets = writeClusterFiles(cluster, specDir, paths, ports);
    writeInstanceConfig(paths, cluster.spec, ports, 0, secrets.sst);
    const seeded = await restoreData({
      store,
      manifest,
      datadir: paths.instance(0).datadir,
      defaultsFile: paths.config(0),
      osUser: osUser(),
      accounts: secrets,
      scratch: join(paths.instanceDir(0), 'restore-tmp'),
      onProgress: o.onProgress,
      pointInTime: archive && target ? { archive, target, field: targetFlag(target) } : undefined,
    });
    rmSync(join(paths.instanceDir(0), 'restore-tmp'), { recursive: true, force: true });
    // First start: the binary log begins where the backup's history ends.
    writeAtomic(paths.initFile(0), cloneInitSql({ gtid: seeded.gtid, binlogState: seeded.gtid }), 0o600);
    started = startSupervisor(paths);
    return { paths, created: true, replicas: cluster.spec.replicas, started, manifest, gtid: seeded.gtid };
  } catch (err) {
    if (started === undefined) rmSync(paths.dir, { recursive: true, force: true });
    throw err;
  }
}

function targetFlag(target: ReplayTarget): string {
  return 'time' in target ? '--to-time' : '--to-gtid';
}

/** The new cluster: from the file given (named --as), else the spec the backup recorded. */
function newClusterDoc(o: LocalRestoreOptions, m: Manifest): { cluster: MySQLCluster; specDir: string } {
  if (o.file) {
    const cluster = loadClusterFile(o.file);
    if (cluster.metadata.name !== o.as) throw new Error(`-f: ${o.file} names the cluster "${cluster.metadata.name}", but --as is "${o.as}"`);
    const specDir = dirname(resolve(o.file));
    if (cluster.spec.database.passwordFile) {
      cluster.spec.database.passwordFile = resolve(specDir, cluster.spec.database.passwordFile);
      readPasswordFile(cluster.spec.database.passwordFile);
    }
    return { cluster, specDir };
  }
  if (!m.spec) throw new Error(`-f: backup ${m.cluster}/${m.id} recorded no cluster spec; give the new cluster's spec with -f FILE`);
  // New ports (the source may still run on its own) and new passwords (generated).
  const spec = { ...m.spec, local: {}, database: { ...m.spec.database, passwordFile: undefined } };
  const doc = { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: o.as }, spec };
  return { cluster: parseClusterText(stringify(doc), `the spec recorded in backup ${m.cluster}/${m.id}`), specDir: process.cwd() };
}
