// Start, watch and stop one local mariadbd, the way a kubelet runs a pod's container:
// same data dir, port and server-id on every restart. Processes are started detached so
// that they outlive the supervisor; a new supervisor adopts them (server.pid, else /proc).
import { spawn } from 'node:child_process';
import { openSync, closeSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { userInfo } from 'node:os';
import type { ClusterSpec } from '../../api/cluster.js';
import { hasData as datadirHasData, installDatadir, MARIADBD } from '../../mariadb/datadir.js';
import { renderServerConfig } from '../../mariadb/server-config.js';
import { pidAlive, pidRuns, readPid, writeAtomic } from './files.js';
import type { ClusterPaths } from './paths.js';
import { galeraPorts, instancePort, type Ports } from './ports.js';
import type { Credentials } from '../../db/connection.js';

export function osUser(): string {
  return userInfo().username;
}

export function hasData(paths: ClusterPaths, ordinal: number): boolean {
  return datadirHasData(paths.instance(ordinal).datadir);
}

/**
 * The instance's my.cnf, from the spec and its ordinal (the same function a pod's init
 * container runs). Mode 0600: a Galera node's holds the SST account's password.
 */
export function writeInstanceConfig(paths: ClusterPaths, spec: ClusterSpec, ports: Ports, ordinal: number, sst: Credentials): void {
  mkdirSync(paths.instance(ordinal).tmpdir, { recursive: true });
  writeAtomic(paths.config(ordinal), renderServerConfig(spec, {
    ordinal,
    port: instancePort(ports, ordinal),
    bindAddress: '127.0.0.1',
    paths: paths.instance(ordinal),
    user: osUser(),
    small: true,
    galera: spec.mode === 'galera' ? {
      clusterName: paths.name,
      nodeName: `${paths.name}-${ordinal}`,
      peers: Array.from({ length: spec.replicas }, (_, o) => `127.0.0.1:${galeraPorts(ports, o).group}`),
      host: '127.0.0.1',
      listenHost: '127.0.0.1',
      ports: galeraPorts(ports, ordinal),
      clientAddress: `127.0.0.1:${instancePort(ports, ordinal)}`,
      sstAuth: sst,
    } : undefined,
  }), 0o600);
}

/** Create an empty data directory (system tables only) for the very first primary. */
export function initializeDatadir(paths: ClusterPaths, ordinal: number): Promise<void> {
  return installDatadir(paths.instance(ordinal).datadir, osUser());
}

/**
 * The instance's running server: the one server.pid names, else any mariadbd started with
 * the instance's my.cnf. A lost or stale pid file must never lead to a second server on
 * the same data and port.
 */
export function runningPid(paths: ClusterPaths, ordinal: number): number | undefined {
  const pid = recordedPid(paths, ordinal);
  return pid ?? serversWith(paths.config(ordinal))[0];
}

/** The pid server.pid names, if that process runs this instance's my.cnf (pids are recycled). */
export function recordedPid(paths: ClusterPaths, ordinal: number): number | undefined {
  const pid = readPid(paths.serverPid(ordinal));
  return pid && pidRuns(pid, `--defaults-file=${paths.config(ordinal)}`) ? pid : undefined;
}

const SERVER_NAMES = new Set(['mariadbd', 'mysqld', basename(MARIADBD)]);

/** Every live mariadbd whose command line names this option file, lowest pid first. */
export function serversWith(config: string): number[] {
  const flag = `--defaults-file=${config}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (SERVER_NAMES.has(basename(argv[0])) && argv.includes(flag) && pidAlive(pid)) found.push(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  return found.sort((a, b) => a - b);
}

export interface Started {
  pid: number;
  exited: Promise<number | null>;
}

export interface StartOptions {
  initFile?: string;
  /** For this start only (clustering/start-mode.ts's truncation, Galera's --wsrep-new-cluster). */
  args?: string[];
}

export function startMariadbd(paths: ClusterPaths, ordinal: number, opts: StartOptions = {}): Started {
  const dir = paths.instanceDir(ordinal);
  const out = openSync(join(dir, 'mariadbd.out'), 'a');
  const args = [`--defaults-file=${paths.config(ordinal)}`];
  if (opts.initFile) args.push(`--init-file=${opts.initFile}`);
  args.push(...(opts.args ?? []));
  const child = spawn(MARIADBD, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${MARIADBD} for instance ${ordinal}`);
  writeAtomic(paths.serverPid(ordinal), `${child.pid}\n`);
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
