// Start, watch and stop one local mariadbd, the way a kubelet runs a pod's container:
// same data dir, port and server-id on every restart. Processes are started detached so
// that they outlive the supervisor; a new supervisor adopts them by pid file.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { serverArgs } from '../../clustering/start-mode.js';
import { hasData as datadirHasData, installDatadir, MARIADBD } from '../../mariadb/datadir.js';
import { pidAlive, pidRuns, readPid, writeAtomic } from './files.js';
import type { ClusterPaths } from './paths.js';


export function osUser(): string {
  return userInfo().username;
}

export function hasData(paths: ClusterPaths, ordinal: number): boolean {
  return datadirHasData(paths.instance(ordinal).datadir);
}

/** Create an empty data directory (system tables only) for the very first primary. */
export function initializeDatadir(paths: ClusterPaths, ordinal: number): Promise<void> {
  return installDatadir(paths.instance(ordinal).datadir, osUser());
}

export function runningPid(paths: ClusterPaths, ordinal: number): number | undefined {
  const pid = readPid(paths.instance(ordinal).pidFile);
  // Our own command line names the instance's my.cnf: a recycled pid will not match.
  return pid && pidRuns(pid, paths.config(ordinal)) ? pid : undefined;
}

export interface Started {
  pid: number;
  exited: Promise<number | null>;
}

export interface StartOptions {
  initFile?: string;
  /** Roll back the binary log's prepared tail in crash recovery (see clustering/start-mode.ts). */
  truncateTail?: boolean;
}

export function startMariadbd(paths: ClusterPaths, ordinal: number, opts: StartOptions = {}): Started {
  const dir = paths.instanceDir(ordinal);
  const out = openSync(join(dir, 'mariadbd.out'), 'a');
  const args = [`--defaults-file=${paths.config(ordinal)}`];
  if (opts.initFile) args.push(`--init-file=${opts.initFile}`);
  if (opts.truncateTail) args.push(...serverArgs('truncate'));
  const child = spawn(MARIADBD, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${MARIADBD} for instance ${ordinal}`);
  // mariadbd writes the same pid itself once it is up; writing it now lets a supervisor
  // that restarts during InnoDB recovery adopt the process instead of starting a second one.
  writeAtomic(paths.instance(ordinal).pidFile, `${child.pid}\n`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { pid: child.pid, exited };
}

/** SIGTERM (clean shutdown), then SIGKILL after the grace period. */
export async function stopProcess(pid: number | undefined, graceMs = 30_000): Promise<void> {
  if (!pidAlive(pid)) return;
  try {
    process.kill(pid!, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid)) {
    try {
      process.kill(pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    while (pidAlive(pid)) await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
