// `ordinal local ...`: the sandbox's command line. It parses arguments and prints; the
// work is in src/sandbox/. Every command but `supervise` is a short-lived client of the
// cluster's supervisor, which `up` starts when needed.
import { Command } from 'commander';
import type { LocalStatus } from '../platform/local/status.js';
import { supervise } from '../platform/local/supervisor.js';
import { targetFile } from '../platform/local/metrics.js';
import { listClusters } from '../sandbox/clusters.js';
import { down } from '../sandbox/down.js';
import { lastLines, logFile } from '../sandbox/logs.js';
import { rebuild, recoverFrom, switchover } from '../sandbox/operations.js';
import { clusterStatus } from '../sandbox/status.js';
import { up } from '../sandbox/up.js';
import { waitHealthy } from '../sandbox/wait.js';
import { SandboxSource } from '../dashboard/sandbox-source.js';
import { dashboardOptions, serveDashboard } from './dashboard.js';
import { addBackupCommands } from './local-backup.js';
import { printTable, progressLine, Progress } from './render.js';

export function localCommand(): Command {
  const local = new Command('local').description('run a cluster on this machine with real mariadbd processes (the sandbox)');

  local
    .command('up')
    .description('create or update a cluster from a MySQLCluster file and wait until it is healthy')
    .requiredOption('-f, --file <file>', 'MySQLCluster YAML or JSON')
    .option('--timeout <seconds>', 'how long to wait for the cluster to become healthy', '300')
    .option('--no-wait', 'return as soon as the supervisor runs')
    .action(async (opts: { file: string; timeout: string; wait: boolean }) => {
      const applied = await up(opts.file);
      const name = applied.paths.name;
      console.log(`${applied.created ? 'creating' : 'updating'} cluster ${name} (${applied.replicas} instance(s)); logs: ordinal local logs ${name}`);
      if (!opts.wait) return;
      const progress = new Progress();
      let s: LocalStatus;
      try {
        s = await waitHealthy(applied, Number(opts.timeout), (seen) => progress.show(seen ? progressLine(seen) : 'starting the supervisor ...'));
      } finally {
        progress.done();
      }
      printEndpoints(s);
    });

  local
    .command('status')
    .argument('<name>')
    .description('show the cluster: primary, endpoints, instances')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (name: string, opts: { output: string }) => {
      const s = await clusterStatus(name);
      if (opts.output === 'json') console.log(JSON.stringify(s, null, 2));
      else printStatus(s);
    });

  local
    .command('switchover')
    .argument('<name>')
    .option('--to <ordinal>', 'the replica to promote (default: the most up-to-date healthy replica); with Galera, the node to take the writes')
    .description('move the primary role to a replica, losing no write (Galera: move the write node)')
    .action(async (name: string, opts: { to?: string }) => {
      const r = await switchover(name, opts.to === undefined ? undefined : parseOrdinal(opts.to, '--to'));
      console.log(`switched over: instance ${r.primary} is the primary (${r.seconds.toFixed(1)} s)`);
    });

  local
    .command('rebuild')
    .argument('<name>')
    .argument('<ordinal>')
    .description('throw away a replica\'s data and clone it again (clears a quarantine)')
    .action(async (name: string, ordinal: string) => {
      const o = parseOrdinal(ordinal, 'ordinal');
      await rebuild(name, o);
      console.log(`instance ${o} rebuilt`);
    });

  local
    .command('recover')
    .argument('<name>')
    .requiredOption('--from <ordinal>', 'the node whose data the cluster restarts from')
    .description('Galera: bootstrap the cluster from this node instead of the one with the highest seqno (when no Primary component exists)')
    .action(async (name: string, opts: { from: string }) => {
      const from = parseOrdinal(opts.from, '--from');
      await recoverFrom(name, from);
      console.log(`cluster ${name} bootstraps from node ${from}; the others join it (ordinal local status ${name})`);
    });

  local
    .command('down')
    .argument('<name>')
    .option('--purge', 'also delete all data, secrets and state of the cluster')
    .description('stop the cluster (replicas first, the primary last)')
    .action(async (name: string, opts: { purge?: boolean }) => {
      const purge = opts.purge === true;
      await down(name, purge);
      if (purge) console.log(`cluster ${name} stopped and deleted`);
      else console.log(`cluster ${name} stopped; its data is kept (ordinal local up -f FILE starts it again, down --purge deletes it)`);
    });

  local
    .command('logs')
    .argument('<name>')
    .argument('[ordinal]')
    .option('-n, --lines <n>', 'how many lines from the end', '100')
    .description("print the supervisor's log, or one instance's MariaDB error log")
    .action((name: string, ordinal: string | undefined, opts: { lines: string }) => {
      const file = logFile(name, ordinal === undefined ? undefined : parseOrdinal(ordinal, 'ordinal'));
      process.stdout.write(lastLines(file, Number(opts.lines)).map((line) => `${line}\n`).join(''));
    });

  local
    .command('list')
    .description('list the sandbox clusters on this machine')
    .action(() => {
      printTable(['NAME', 'SUPERVISOR', 'PRIMARY'], listClusters().map((c) => [c.name, c.supervisorRunning ? 'running' : 'stopped', String(c.primary ?? '-')]));
    });

  addBackupCommands(local);

  dashboardOptions(local.command('dashboard'))
    .description('the clusters in a browser: topology, timeline, live charts, backups, and the actions; prints a one-time URL on 127.0.0.1')
    .action(async (opts: { port: string; readOnly?: boolean; open?: boolean }) => serveDashboard(new SandboxSource(), opts));

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

function printEndpoints(s: LocalStatus): void {
  console.log(`cluster ${s.name} is ${s.phase}: ${s.mode === 'galera' ? 'the write node' : 'primary'} is instance ${s.primary}`);
  console.log(`  read-write endpoint: ${s.endpoints.readWrite}${s.mode === 'galera' ? ' (one node at a time)' : ''}`);
  if (s.endpoints.readWriteAll) console.log(`  all-nodes endpoint:  ${s.endpoints.readWriteAll} (every synced node; retry deadlocks from certification conflicts)`);
  console.log(`  read-only endpoint:  ${s.endpoints.readOnly}`);
  console.log(`  user ${s.credentials.user}, database ${s.credentials.database}, password in ${s.credentials.passwordFile}`);
  const [host, port] = s.endpoints.readWrite.split(':');
  console.log(`  try: mariadb -h ${host} -P ${port} -u ${s.credentials.user} -p"$(cat ${s.credentials.passwordFile})" ${s.credentials.database}`);
  if (s.supervisor.metrics) console.log(`  metrics: http://${s.supervisor.metrics}/metrics (Prometheus: file_sd_configs on ${targetFile(s.name)})`);
}

function printStatus(s: LocalStatus): void {
  if (s.mode === 'galera') return printGaleraStatus(s);
  console.log(`cluster ${s.name}: ${s.phase}   primary: ${s.primary ?? '-'}   failovers: ${s.failovers}   switchovers: ${s.switchovers}`);
  console.log(`read-write ${s.endpoints.readWrite}   read-only ${s.endpoints.readOnly}   user ${s.credentials.user} (password in ${s.credentials.passwordFile})`);
  if (s.message) console.log(`note: ${s.message}`);
  if (s.pitr) {
    const p = s.pitr;
    console.log(`pitr: archiving to ${p.location}, recoverable until ${p.lastRecoverableTime ?? '-'}${p.continuous ? '' : ' (NOT continuous: a gap in the archive)'}${p.error ? ` (last round failed: ${p.error})` : ''}`);
  }
  if (s.backupSchedule) {
    const b = s.backupSchedule;
    const last = b.lastRun ? `last ${b.lastRun.id ?? 'run'} ${b.lastRun.ok ? 'ok' : `FAILED: ${b.lastRun.error}`}` : 'no run yet';
    console.log(`backups: "${b.schedule}" to ${b.location}, ${b.suspended ? 'suspended' : `next ${b.nextRun ?? '-'}`}, ${last}`);
  }
  printTable(
    ['ORDINAL', 'ROLE', 'READY', 'READ-ONLY', 'LAG', 'PID', 'PORT', 'ERRANT', 'MESSAGE'],
    s.instances.map((i) => [
      String(i.ordinal), i.role, i.ready ? 'yes' : 'no', i.readOnly === null ? '-' : i.readOnly ? 'yes' : 'no',
      i.lagSeconds === null ? '-' : `${i.lagSeconds}s`, String(i.pid ?? '-'), String(i.port), i.errant ? 'YES' : 'no',
      i.provisioning ? `${i.provisioning.what}${i.provisioning.bytes ? ` (${(i.provisioning.bytes / 1e6).toFixed(0)} MB)` : ''}` : i.message ?? '',
    ]),
  );
}

function printGaleraStatus(s: LocalStatus): void {
  console.log(`cluster ${s.name} (galera): ${s.phase}   write node: ${s.primary ?? '-'}   cluster size: ${s.galera?.clusterSize ?? 0}   full-crash recoveries: ${s.recoveries}`);
  console.log(`read-write ${s.endpoints.readWrite}   all nodes ${s.endpoints.readWriteAll}   read-only ${s.endpoints.readOnly}   user ${s.credentials.user} (password in ${s.credentials.passwordFile})`);
  if (s.message) console.log(`note: ${s.message}`);
  printTable(
    ['ORDINAL', 'ROLE', 'READY', 'STATE', 'SEQNO', 'SIZE', 'FC PAUSED', 'RECV Q', 'PID', 'PORT', 'MESSAGE'],
    s.instances.map((i) => {
      const g = i.galera;
      const seqno = g?.seqno ?? g?.storedPosition?.split(':')[1];
      return [
        String(i.ordinal), i.role, i.ready ? 'yes' : 'no', g?.state ?? '-', String(seqno ?? '-'), String(g?.clusterSize ?? '-'),
        g?.flowControlPaused == null ? '-' : g.flowControlPaused.toFixed(2), String(g?.recvQueue ?? '-'), String(i.pid ?? '-'), String(i.port),
        i.provisioning ? i.provisioning.what : i.message ?? '',
      ];
    }),
  );
}
