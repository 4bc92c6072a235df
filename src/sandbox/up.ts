// `ordinal local up`: create or update a sandbox cluster from a MySQLCluster file and have
// its supervisor run it. Every check runs before anything is written: a bad spec creates
// and changes nothing.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { MySQLCluster } from '../api/cluster.js';
import { loadClusterFile } from '../api/load.js';
import { parseLocation } from '../backup/location.js';
import { InvalidSpecError } from '../api/validate.js';
import { callControl } from '../platform/local/control.js';
import { writeAtomic } from '../platform/local/files.js';
import { ClusterPaths } from '../platform/local/paths.js';
import { choosePorts, readPorts, writePorts, type Ports } from '../platform/local/ports.js';
import { ensureSecrets, readPasswordFile, type ClusterSecrets } from '../platform/local/secrets.js';
import { startSupervisor, supervisorPid } from '../platform/local/supervisor.js';
import { refusedSandboxChanges } from './refused-changes.js';

export interface Applied {
  paths: ClusterPaths;
  created: boolean;
  replicas: number;
  /** The supervisor this call started; undefined when a running one reloaded the spec. */
  started?: number;
}

export async function up(file: string): Promise<Applied> {
  const specDir = dirname(resolve(file));
  const cluster = loadClusterFile(file);
  const paths = new ClusterPaths(cluster.metadata.name);
  const created = !existsSync(paths.spec);
  const ports = await checked(cluster, specDir, paths, created);

  writeClusterFiles(cluster, specDir, paths, created ? ports : undefined);

  let started: number | undefined;
  if (supervisorPid(paths)) await callControl(paths.control, 'POST', '/reload');
  else started = startSupervisor(paths);
  return { paths, created, replicas: cluster.spec.replicas, started };
}

/** The cluster's folder: its spec, secrets and (when it is new) ports. */
export function writeClusterFiles(cluster: MySQLCluster, specDir: string, paths: ClusterPaths, ports?: Ports): ClusterSecrets {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.secrets, { recursive: true, mode: 0o700 });
  if (ports) writePorts(paths, ports);
  const { status: _drop, ...doc } = cluster;
  writeAtomic(paths.spec, stringify(doc));
  return ensureSecrets(paths, cluster.spec, specDir);
}

/** Checks what only the machine can tell; resolves the password file in place; returns the ports. */
async function checked(cluster: MySQLCluster, specDir: string, paths: ClusterPaths, created: boolean): Promise<Ports> {
  if (cluster.spec.pitr?.storage.pvc) {
    throw new InvalidSpecError([{ path: 'spec.pitr.storage.pvc', message: 'is a Kubernetes volume; in the sandbox use local {path} or s3' }]);
  }
  if (cluster.spec.backupSchedule) {
    try {
      parseLocation(cluster.spec.backupSchedule.location, 'location');
    } catch (err) {
      throw new InvalidSpecError([{ path: 'spec.backupSchedule.location', message: (err as Error).message.replace(/^location: /, '') }]);
    }
  }
  const database = cluster.spec.database;
  // Relative to the file given; the stored copy of the spec lives elsewhere, so it keeps it absolute.
  if (database.passwordFile) {
    database.passwordFile = resolve(specDir, database.passwordFile);
    readPasswordFile(database.passwordFile);
  }
  if (created) return choosePorts(cluster.spec);
  const ports = readPorts(paths);
  const refused = refusedSandboxChanges(loadClusterFile(paths.spec).spec, cluster.spec, ports);
  if (refused.length) throw new InvalidSpecError(refused);
  return ports;
}
