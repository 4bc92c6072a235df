// Where a sandbox cluster lives on disk. Everything is under $ORDINAL_HOME so that
// `down --purge` removes it all and nothing leaks into the repository.
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { InstancePaths } from '../../mariadb/server-config.js';

export function ordinalHome(): string {
  return process.env.ORDINAL_HOME || join(homedir(), '.ordinal');
}

export class ClusterPaths {
  readonly dir: string;
  constructor(readonly name: string, home = ordinalHome()) {
    this.dir = join(home, 'clusters', name);
  }
  get spec() { return join(this.dir, 'spec.yaml'); }
  get state() { return join(this.dir, 'state.json'); }
  get ports() { return join(this.dir, 'ports.json'); }
  get supervisorPid() { return join(this.dir, 'supervisor.pid'); }
  get supervisorLog() { return join(this.dir, 'supervisor.log'); }
  get control() { return join(this.dir, 'control.sock'); }
  get secrets() { return join(this.dir, 'secrets'); }
  secret(name: string) { return join(this.secrets, name); }
  instanceDir(ordinal: number) { return join(this.dir, 'instances', String(ordinal)); }
  instancesDir() { return join(this.dir, 'instances'); }
  config(ordinal: number) { return join(this.instanceDir(ordinal), 'my.cnf'); }
  /** The my.cnf its running server started with (a changed my.cnf means a restart is due). */
  startedConfig(ordinal: number) { return join(this.instanceDir(ordinal), 'my.cnf.started'); }
  cloneDir(ordinal: number) { return join(this.instanceDir(ordinal), 'data.clone'); }
  initFile(ordinal: number) { return join(this.instanceDir(ordinal), 'init.sql'); }
  /**
   * The pid of the server the supervisor started, written atomically at spawn. The server's
   * own mariadbd.pid is never read: mariadbd truncates it and then writes it during its
   * start, and a reader that saw it empty once started a second server on the same data.
   */
  serverPid(ordinal: number) { return join(this.instanceDir(ordinal), 'server.pid'); }
  instance(ordinal: number): InstancePaths & { errorLog: string; tmpdir: string } {
    const d = this.instanceDir(ordinal);
    return { datadir: join(d, 'data'), socket: join(d, 'mariadbd.sock'), pidFile: join(d, 'mariadbd.pid'), errorLog: join(d, 'error.log'), tmpdir: join(d, 'tmp') };
  }
}

export function clustersDir(home = ordinalHome()): string {
  return join(home, 'clusters');
}

/** The ordinals that have an instance folder, in ascending order. */
export function instanceOrdinals(paths: ClusterPaths): number[] {
  try {
    return readdirSync(paths.instancesDir()).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  } catch {
    return [];
  }
}
