// `ordinal local ...`: the sandbox. Every command but `supervise` is a short-lived client
// of the cluster's supervisor, which it starts when needed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { loadClusterFile } from '../api/load.js';
import { InvalidSpecError } from '../api/validate.js';
import type { ClusterState } from '../clustering/types.js';
import { callControl } from '../platform/local/control.js';
import { pidAlive, readJson, writeAtomic } from '../platform/local/files.js';
import { stopProcess, runningPid, sleep } from '../platform/local/mariadbd.js';
import { ClusterPaths, clustersDir } from '../platform/local/paths.js';
import { choosePorts, findPorts, readPorts, writePorts, type Ports } from '../platform/local/ports.js';
import { ensureSecrets } from '../platform/local/secrets.js';
import type { LocalStatus } from '../platform/local/status.js';
import { supervise, supervisorPid } from '../platform/local/supervisor.js';
import { refusedSandboxChanges } from '../sandbox/refused-changes.js';
import { printTable, progressLine, Progress } from './render.js';

export function localCommand(): Command {
  const local = new Command('local').description('run a cluster on this machine with real mariadbd processes (the sandbox)');

  local
    .command('up')
    .description('create or update a cluster from a MySQLCluster file and wait until it is healthy')
    .requiredOption('-f, --file <file>', 'MySQLCluster YAML or JSON')
    .option('--timeout <seconds>', 'how long to wait for the cluster to become healthy', '300')
    .option('--no-wait', 'return as soon as the supervisor runs')
    .action(async (opts: { file: string; timeout: string; wait: boolean }) => up(opts.file, Number(opts.timeout), opts.wait));

  local
    .command('status')
    .argument('<name>')
    .description('show the cluster: primary, endpoints, instances')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (name: string, opts: { output: string }) => {
      const s = await status(name);
      if (opts.output === 'json') console.log(JSON.stringify(s, null, 2));
      else printStatus(s);
    });

  local
    .command('switchover')
    .argument('<name>')
    .option('--to <ordinal>', 'the replica to promote (default: the most up-to-date healthy replica)')
    .description('move the primary role to a replica, losing no write')
    .action(async (name: string, opts: { to?: string }) => {
      const to = opts.to === undefined ? undefined : parseOrdinal(opts.to, '--to');
      const started = Date.now();
      const r = await callControl<{ primary: number }>(control(name), 'POST', '/switchover', { to }, 120_000);
      console.log(`switched over: instance ${r.primary} is the primary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    });

  local
    .command('rebuild')
    .argument('<name>')
    .argument('<ordinal>')
    .description('throw away a replica\'s data and clone it again (clears a quarantine)')
    .action(async (name: string, ordinal: string) => {
      const o = parseOrdinal(ordinal, 'ordinal');
      await callControl(control(name), 'POST', '/rebuild', { ordinal: o }, 900_000);
      console.log(`instance ${o} rebuilt`);
    });

  local
    .command('down')
    .argument('<name>')
    .option('--purge', 'also delete all data, secrets and state of the cluster')
    .description('stop the cluster (replicas first, the primary last)')
    .action(async (name: string, opts: { purge?: boolean }) => down(name, opts.purge === true));

  local
    .command('logs')
    .argument('<name>')
    .argument('[ordinal]')
    .option('-n, --lines <n>', 'how many lines from the end', '100')
    .description("print the supervisor's log, or one instance's MariaDB error log")
    .action((name: string, ordinal: string | undefined, opts: { lines: string }) => {
      const paths = existing(name);
      const file = ordinal === undefined ? paths.supervisorLog : paths.instance(parseOrdinal(ordinal, 'ordinal')).errorLog;
      if (!existsSync(file)) throw new Error(`no log yet at ${file}`);
      const lines = readFileSync(file, 'utf8').split('\n');
      process.stdout.write(lines.slice(-Number(opts.lines) - 1).join('\n'));
    });

  local
    .command('list')
    .description('list the sandbox clusters on this machine')
    .action(() => {
      let names: string[] = [];
      try {
        names = readdirSync(clustersDir());
      } catch {
        /* none */
      }
      printTable(['NAME', 'SUPERVISOR', 'PRIMARY'], names.map((n) => {
        const p = new ClusterPaths(n);
        const state = readJson<{ primary: number | null }>(p.state);
        return [n, supervisorPid(p) ? 'running' : 'stopped', String(state?.primary ?? '-')];
      }));
    });

  local
    .command('supervise', { hidden: true })
    .argument('<name>')
    .action(async (name: string) => supervise(name));

  return local;
}

function parseOrdinal(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 8) throw new Error(`${what}: "${v}" is not an instance ordinal (0-8)`);
  return n;
}

function existing(name: string): ClusterPaths {
  const paths = new ClusterPaths(name);
  if (!existsSync(paths.spec)) throw new Error(`no sandbox cluster named "${name}" (see: ordinal local list)`);
  return paths;
}

function control(name: string): string {
  const paths = existing(name);
  if (!supervisorPid(paths)) throw new Error(`the supervisor of "${name}" is not running; start it with: ordinal local up -f <file>`);
  return paths.control;
}

async function up(file: string, timeoutSeconds: number, wait: boolean): Promise<void> {
  // Everything is checked before anything is written: a bad spec creates nothing.
  const cluster = loadClusterFile(file);
  const specDir = dirname(resolve(file));
  if (cluster.spec.database.passwordFile) {
    cluster.spec.database.passwordFile = resolve(specDir, cluster.spec.database.passwordFile);
    if (!existsSync(cluster.spec.database.passwordFile)) {
      throw new InvalidSpecError([{ path: 'spec.database.passwordFile', message: `file ${cluster.spec.database.passwordFile} does not exist` }]);
    }
  }
  const paths = new ClusterPaths(cluster.metadata.name);
  const isNew = !existsSync(paths.spec);
  let ports = findPorts(paths);
  if (!isNew) {
    const previous = loadClusterFile(paths.spec);
    const refused = refusedSandboxChanges(previous.spec, cluster.spec, ports!);
    if (refused.length) throw new InvalidSpecError(refused);
  } else {
    ports = await choosePorts(cluster.spec.local);
  }

  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.secrets, { recursive: true, mode: 0o700 });
  if (isNew) writePorts(paths, ports!);
  const { status: _drop, ...doc } = cluster;
  writeAtomic(paths.spec, stringify(doc));
  ensureSecrets(paths, cluster.spec, specDir);

  let started: number | undefined;
  if (supervisorPid(paths)) {
    await callControl(paths.control, 'POST', '/reload');
  } else {
    started = startSupervisor(paths);
  }
  console.log(`${isNew ? 'creating' : 'updating'} cluster ${cluster.metadata.name} (${cluster.spec.replicas} instance(s)); logs: ordinal local logs ${cluster.metadata.name}`);
  if (!wait) return;
  const s = await waitHealthy(paths, cluster.spec.replicas, timeoutSeconds, started);
  console.log(`cluster ${s.name} is ${s.phase}: primary is instance ${s.primary}`);
  console.log(`  read-write endpoint: ${s.endpoints.readWrite}`);
  console.log(`  read-only endpoint:  ${s.endpoints.readOnly}`);
  console.log(`  user ${s.credentials.user}, database ${s.credentials.database}, password in ${s.credentials.passwordFile}`);
  const [host, port] = s.endpoints.readWrite.split(':');
  console.log(`  try: mariadb -h ${host} -P ${port} -u ${s.credentials.user} -p"$(cat ${s.credentials.passwordFile})" ${s.credentials.database}`);
}

function startSupervisor(paths: ClusterPaths): number | undefined {
  const log = openSync(paths.supervisorLog, 'a');
  // Same node, same loader flags (tsx in development), same entry script.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'local', 'supervise', paths.name], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  child.unref();
  return child.pid;
}

/** `started`: the supervisor this command spawned; it may take a while to write its pid file. */
async function waitHealthy(paths: ClusterPaths, replicas: number, timeoutSeconds: number, started?: number): Promise<LocalStatus> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const progress = new Progress();
  let last: LocalStatus | undefined;
  const gone = () => (started !== undefined ? !pidAlive(started) : !supervisorPid(paths));
  while (Date.now() < deadline) {
    if (gone()) {
      progress.done();
      throw new Error(`the supervisor exited; see ordinal local logs ${paths.name}\n${tail(paths.supervisorLog, 5)}`);
    }
    try {
      last = await callControl<LocalStatus>(paths.control, 'GET', '/status', undefined, 5000);
      progress.show(progressLine(last));
      if (last.phase === 'Running' && last.instances.length === replicas) {
        progress.done();
        return last;
      }
    } catch {
      progress.show('starting the supervisor ...');
    }
    await sleep(500);
  }
  progress.done();
  throw new Error(`cluster ${paths.name} is not healthy after ${timeoutSeconds} s (phase ${last?.phase ?? 'unknown'}${last?.message ? `: ${last.message}` : ''}); see ordinal local logs ${paths.name}`);
}

function tail(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function status(name: string): Promise<LocalStatus> {
  const paths = existing(name);
  if (supervisorPid(paths)) return callControl<LocalStatus>(paths.control, 'GET', '/status');
  // Without a supervisor: what the files say, and which servers still run.
  const cluster = loadClusterFile(paths.spec);
  const ports = readPorts(paths);
  const state = readJson<Partial<ClusterState>>(paths.state);
  const ordinals = existsSync(paths.instancesDir()) ? readdirSync(paths.instancesDir()).map(Number).filter(Number.isInteger) : [];
  return {
    name,
    phase: 'Stopped',
    primary: state?.primary ?? null,
    endpoints: { readWrite: `127.0.0.1:${ports.readWrite}`, readOnly: `127.0.0.1:${ports.readOnly}` },
    credentials: { user: cluster.spec.database.user, database: cluster.spec.database.name, passwordFile: cluster.spec.database.passwordFile ?? paths.secret('app') },
    instances: ordinals.sort().map((o) => ({
      ordinal: o,
      pid: runningPid(paths, o) ?? null,
      port: ports.basePort + o,
      role: o === state?.primary ? 'primary' : 'unknown',
      ready: false,
      readOnly: null,
      errant: !!state?.quarantined?.[o],
      reachable: false,
      lagSeconds: null,
    })),
    failovers: state?.failovers ?? 0,
    recoveries: state?.recoveries ?? 0,
    switchovers: state?.switchovers ?? 0,
    message: 'the supervisor is not running; ordinal local up -f FILE starts it again',
    routes: { readWrite: null, readOnly: [] },
    events: [],
    supervisor: { pid: null, running: false },
  };
}

function printStatus(s: LocalStatus): void {
  console.log(`cluster ${s.name}: ${s.phase}   primary: ${s.primary ?? '-'}   failovers: ${s.failovers}   switchovers: ${s.switchovers}`);
  console.log(`read-write ${s.endpoints.readWrite}   read-only ${s.endpoints.readOnly}   user ${s.credentials.user} (password in ${s.credentials.passwordFile})`);
  if (s.message) console.log(`note: ${s.message}`);
  printTable(
    ['ORDINAL', 'ROLE', 'READY', 'READ-ONLY', 'LAG', 'PID', 'PORT', 'ERRANT', 'MESSAGE'],
    s.instances.map((i) => [
      String(i.ordinal), i.role, i.ready ? 'yes' : 'no', i.readOnly === null ? '-' : i.readOnly ? 'yes' : 'no',
      i.lagSeconds === null ? '-' : `${i.lagSeconds}s`, String(i.pid ?? '-'), String(i.port), i.errant ? 'YES' : 'no',
      i.provisioning ? `${i.provisioning.what}${i.provisioning.bytes ? ` (${(i.provisioning.bytes / 1e6).toFixed(0)} MB)` : ''}` : i.message ?? '',
    ]),
  );
}

async function down(name: string, purge: boolean): Promise<void> {
  const paths = existing(name);
  const pid = supervisorPid(paths);
  if (pid) {
    await callControl(paths.control, 'POST', '/shutdown', { stopInstances: true });
    const deadline = Date.now() + 120_000;
    while (supervisorPid(paths) && Date.now() < deadline) await sleep(200);
  }
  // Servers the supervisor did not stop (it was not running): replicas first, primary last.
  const state = readJson<{ primary: number | null }>(paths.state);
  const ordinals = existsSync(paths.instancesDir()) ? readdirSync(paths.instancesDir()).map(Number).filter(Number.isInteger) : [];
  ordinals.sort((a, b) => Number(a === state?.primary) - Number(b === state?.primary));
  for (const o of ordinals) await stopProcess(runningPid(paths, o));
  if (purge) {
    rmSync(paths.dir, { recursive: true, force: true });
    console.log(`cluster ${name} stopped and deleted`);
  } else {
    console.log(`cluster ${name} stopped; its data is kept (ordinal local up -f FILE starts it again, down --purge deletes it)`);
  }
}

