// Taking a backup of a sandbox cluster: from the instance the target asks for, through the
// instance's own files and the cluster's option file, one backup of a cluster at a time (a
// lock file in its folder). The CLI and the supervisor's schedule both call this.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadClusterFile } from '../../api/load.js';
import type { Location } from '../../backup/location.js';
import type { BackupMethod, Manifest } from '../../backup/manifest.js';
import { chooseBackupSource, type BackupTarget } from '../../backup/source.js';
import { planDump, readSourceFacts } from '../../backup/source-facts.js';
import { openStore } from '../../backup/store.js';
import { takeBackup, type BackupProgress } from '../../backup/take.js';
import type { InstanceSummary } from '../../clustering/summary.js';
import { withSession } from '../../db/connection.js';
import { pidAlive, readPid } from './files.js';
import type { ClusterPaths } from './paths.js';
import { instancePort, readPorts } from './ports.js';
import { ensureSecrets } from './secrets.js';

export interface BackupRequest {
  to: Location;
  method: BackupMethod;
  target: BackupTarget;
  /** Logical backups: these databases only. */
  databases?: string[];
  onProgress?: (p: BackupProgress) => void;
  signal?: AbortSignal;
}

/** The backup itself, given the instances as the HA loop sees them (the CLI and the supervisor's schedule). */
export async function backupCluster(paths: ClusterPaths, instances: InstanceSummary[], o: BackupRequest): Promise<Manifest> {
  const name = paths.name;
  const choice = chooseBackupSource(instances, o.target);
  if (!choice.ok) throw new Error(`cannot back up cluster ${name}: ${choice.reason}`);
  const spec = loadClusterFile(paths.spec).spec;
  const secrets = ensureSecrets(paths, spec);
  const endpoint = { host: '127.0.0.1', port: instancePort(readPorts(paths), choice.ordinal) };
  const release = lock(paths);
  try {
    const facts = await withSession(endpoint, secrets.operator, readSourceFacts, { deadlineMs: 30_000 });
    const { databases, estimate } = planDump(name, o.method, o.databases, facts, '--databases');
    return await takeBackup({
      store: openStore(o.to),
      cluster: name,
      method: o.method,
      source: { ...endpoint, optionFile: secrets.clientOptionFile, datadir: paths.instance(choice.ordinal).datadir, instance: choice.ordinal, role: choice.role },
      serverVersion: facts.version,
      databases,
      estimate,
      scratch: join(paths.dir, 'backup-tmp'),
      spec,
      onProgress: o.onProgress,
      signal: o.signal,
    });
  } finally {
    release();
  }
}

/** Held while a backup of the cluster runs; a lock left by a dead process is taken over. */
function lock(paths: ClusterPaths): () => void {
  const file = join(paths.dir, 'backup.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(file);
      if (holder && pidAlive(holder)) throw new Error(`a backup of cluster ${paths.name} is running already (pid ${holder}); one at a time`);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the backup lock of cluster ${paths.name}`);
}
