// Finding sandbox clusters on this machine by name.
import { existsSync, readdirSync } from 'node:fs';
import { readJson } from '../platform/local/files.js';
import { ClusterPaths, clustersDir } from '../platform/local/paths.js';
import { supervisorPid } from '../platform/local/supervisor.js';

export function existingCluster(name: string): ClusterPaths {
  const paths = new ClusterPaths(name);
  if (!existsSync(paths.spec)) throw new Error(`no sandbox cluster named "${name}" (see: ordinal local list)`);
  return paths;
}

/** The control socket of the cluster's supervisor, which must be running. */
export function controlSocket(name: string): string {
  const paths = existingCluster(name);
  if (!supervisorPid(paths)) throw new Error(`the supervisor of "${name}" is not running; start it with: ordinal local up -f <file>`);
  return paths.control;
}

export interface ClusterEntry {
  name: string;
  supervisorRunning: boolean;
  primary: number | null;
}

export function listClusters(): ClusterEntry[] {
  let names: string[] = [];
  try {
    names = readdirSync(clustersDir());
  } catch {
    /* none */
  }
  return names.map((name) => {
    const paths = new ClusterPaths(name);
    const state = readJson<{ primary: number | null }>(paths.state);
    return { name, supervisorRunning: supervisorPid(paths) !== undefined, primary: state?.primary ?? null };
  });
}
