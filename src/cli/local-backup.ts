// `ordinal local backup | backups | restore`: arguments and printing; the work is in
// src/sandbox/backup.ts and src/sandbox/restore.ts.
import { replayTarget } from '../backup/restore-data.js';
import type { Command } from 'commander';
import { parseLocation, type Location } from '../backup/location.js';
import type { BackupMethod, Manifest } from '../backup/manifest.js';
import { storedBytes } from '../backup/manifest.js';
import { BACKUP_TARGETS, type BackupTarget } from '../backup/source.js';
import type { BackupProgress } from '../backup/take.js';
import { localBackup, localBackups, scheduledBackupNow } from '../sandbox/backup.js';
import { localRestore } from '../sandbox/restore.js';
import { localVerify } from '../platform/local/verify.js';
import type { Verification } from '../backup/verify.js';
import { waitHealthy } from '../sandbox/wait.js';
import { printTable, progressLine, Progress } from './render.js';

interface S3Flags {
  s3Endpoint?: string;
}

const S3_HELP = 'S3-compatible endpoint URL (default: $AWS_ENDPOINT_URL, else AWS); credentials come from the AWS environment variables or shared credentials file';

function location(text: string, what: string, flags: S3Flags): Location {
  return parseLocation(text, what, {
    endpoint: flags.s3Endpoint ?? process.env.AWS_ENDPOINT_URL,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
  });
}

export function addBackupCommands(local: Command): void {
  local
    .command('backup')
    .argument('<name>', 'the cluster')
    .option('--to <location>', 'file:///absolute/dir or s3://bucket/prefix (default: spec.backupSchedule\'s, with its limits)')
    .option('--method <method>', 'physical (mariadb-backup) or logical (mariadb-dump)', 'physical')
    .option('--target <target>', `which instance: ${BACKUP_TARGETS.join(', ')}`, 'replica')
    .option('--databases <list>', 'logical only: comma-separated databases (default: all but the system schemas)')
    .option('--s3-endpoint <url>', S3_HELP)
    .option('-o, --output <format>', 'text or json', 'text')
    .description('take a backup of a running cluster; prints its id and manifest')
    .action(async (name: string, opts: S3Flags & { to?: string; method: string; target: string; databases?: string; output: string }) => {
      if (opts.to === undefined) {
        const s = await scheduledBackupNow(name);
        if (opts.output === 'json') console.log(JSON.stringify(s, null, 2));
        else console.log(`backup ${s.lastRun?.id} done by the schedule's settings (${s.location}) in ${s.lastRun?.seconds.toFixed(1)} s${s.lastRun?.verified === undefined ? '' : s.lastRun.verified ? ', verified' : ', NOT restorable'}`);
        return;
      }
      if (opts.method !== 'physical' && opts.method !== 'logical') throw new Error(`--method: "${opts.method}" must be physical or logical`);
      if (!BACKUP_TARGETS.includes(opts.target as BackupTarget)) throw new Error(`--target: "${opts.target}" must be one of ${BACKUP_TARGETS.join(', ')}`);
      const databases = opts.databases?.split(',').map((d) => d.trim()).filter(Boolean);
      if (opts.databases !== undefined && !databases?.length) throw new Error('--databases: name at least one database');
      const progress = new Progress();
      const stop = new AbortController();
      const cancel = () => stop.abort();
      process.once('SIGINT', cancel).once('SIGTERM', cancel);
      let m: Manifest;
      try {
        m = await localBackup(name, {
          to: location(opts.to, '--to', opts),
          method: opts.method as BackupMethod,
          target: opts.target as BackupTarget,
          databases,
          onProgress: (p) => progress.show(backupLine(p)),
          signal: stop.signal,
        });
      } finally {
        progress.done();
        process.off('SIGINT', cancel).off('SIGTERM', cancel);
      }
      if (opts.output === 'json') console.log(JSON.stringify({ ...m, spec: undefined }, null, 2));
      else {
        console.log(`backup ${m.cluster}/${m.id} done: ${m.method}, from instance ${m.source.instance} (${m.source.role}), GTID ${m.gtid || '(empty)'}, ${mb(storedBytes(m))} stored in ${seconds(m)} s`);
        console.log(`restore it with: ordinal local restore --from ${opts.to} --backup ${m.cluster}/${m.id} --as NEWNAME`);
      }
    });

  local
    .command('backups')
    .requiredOption('--from <location>', 'file:///absolute/dir or s3://bucket/prefix')
    .option('--cluster <name>', 'only the backups of this cluster')
    .option('--s3-endpoint <url>', S3_HELP)
    .option('-o, --output <format>', 'table or json', 'table')
    .description('list the backups a location holds (folders without a manifest are not backups)')
    .action(async (opts: S3Flags & { from: string; cluster?: string; output: string }) => {
      const listed = await localBackups(location(opts.from, '--from', opts), opts.cluster);
      if (opts.output === 'json') {
        console.log(JSON.stringify({ backups: listed.backups.map((m) => ({ ...m, spec: undefined })), unreadable: listed.unreadable }, null, 2));
        return;
      }
      printTable(
        ['ID', 'CLUSTER', 'METHOD', 'ENDED', 'GTID', 'SIZE', 'VERIFIED'],
        listed.backups.map((m) => [`${m.cluster}/${m.id}`, m.cluster, m.method, m.endTime, m.gtid || '-', mb(storedBytes(m)), verifiedText(m.verification)]),
      );
      for (const u of listed.unreadable) console.error(`warning: ${u.key}: ${u.why}`);
      if (listed.backups.length === 0) console.error(`no backups in ${listed.where}`);
    });

  local
    .command('verify')
    .requiredOption('--from <location>', 'file:///absolute/dir or s3://bucket/prefix')
    .option('--backup <id>', 'the backup (ID or CLUSTER/ID); default: the newest')
    .option('--s3-endpoint <url>', S3_HELP)
    .option('-o, --output <format>', 'text or json', 'text')
    .description('prove a backup restorable: restore it into a scratch folder, check every table, compare its GTID, throw it away')
    .action(async (opts: S3Flags & { from: string; backup?: string; output: string }) => {
      const progress = new Progress();
      let r;
      try {
        r = await localVerify(location(opts.from, '--from', opts), opts.backup, (what, bytes) => progress.show(`${what}${bytes ? ` ${mb(bytes)}` : ''}`));
      } finally {
        progress.done();
      }
      const { manifest: m, verification: v } = r;
      if (opts.output === 'json') console.log(JSON.stringify({ backup: `${m.cluster}/${m.id}`, ...v }, null, 2));
      else if (v.ok) console.log(`backup ${m.cluster}/${m.id} is restorable: ${v.tables} tables checked, ${Object.values(v.rows ?? {}).reduce((a, b) => a + b, 0)} rows, GTID ${v.gtid || '(empty)'} (manifest ${m.gtid || '(empty)'}), in ${v.seconds.toFixed(1)} s`);
      if (!v.ok) {
        console.error(`backup ${m.cluster}/${m.id} could NOT be restored: ${v.error}`);
        process.exitCode = 3;
      }
    });

  local
    .command('restore')
    .requiredOption('--from <location>', 'where the backup is: file:///absolute/dir or s3://bucket/prefix')
    .requiredOption('--as <name>', 'the new cluster (it must not exist)')
    .option('--backup <id>', 'the backup (ID or CLUSTER/ID, see local backups); default: the newest')
    .option('-f, --file <file>', "the new cluster's MySQLCluster file (default: the spec the backup recorded, with new ports and passwords)")
    .option('--to-time <time>', 'replay the archived binary logs up to this RFC 3339 time (to the whole second below: transactions stamped before it)')
    .option('--to-gtid <gtid>', 'replay the archived binary logs up to and including this transaction, such as 0-1-4711')
    .option('--archive <location>', 'where the binary log archive is (default: the --from location)')
    .option('--s3-endpoint <url>', S3_HELP)
    .option('--timeout <seconds>', 'how long to wait for the restored cluster to become healthy', '600')
    .description('create a new cluster from a backup (and the binary log archive, to a point in time) and wait until it is Running')
    .action(async (opts: S3Flags & { from: string; as: string; backup?: string; file?: string; toTime?: string; toGtid?: string; archive?: string; timeout: string }) => {
      const target = replayTarget(opts.toTime, opts.toGtid, { time: '--to-time', gtid: '--to-gtid' });
      if (opts.archive && !target) throw new Error('--archive: give --to-time or --to-gtid too; without a target nothing is replayed');
      const progress = new Progress();
      const begun = Date.now();
      try {
        const r = await localRestore({
          from: location(opts.from, '--from', opts),
          as: opts.as,
          backup: opts.backup,
          file: opts.file,
          target,
          archive: opts.archive ? location(opts.archive, '--archive', opts) : undefined,
          onProgress: (what, bytes) => progress.show(`${what}${bytes ? ` ${mb(bytes)} (${mb(bytes / Math.max(1, (Date.now() - begun) / 1000))}/s)` : ''}`),
        });
        progress.show(`restored backup ${r.manifest.cluster}/${r.manifest.id} at GTID ${r.gtid || '(empty)'}; starting the cluster`);
        const s = await waitHealthy(r, Number(opts.timeout), (seen) => progress.show(seen ? progressLine(seen) : 'starting the supervisor ...'));
        progress.done();
        console.log(`cluster ${s.name} restored from backup ${r.manifest.cluster}/${r.manifest.id} (GTID ${r.gtid || '(empty)'}) in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
        console.log(`  read-write endpoint: ${s.endpoints.readWrite}   read-only endpoint: ${s.endpoints.readOnly}`);
        console.log(`  user ${s.credentials.user}, database ${s.credentials.database}, password in ${s.credentials.passwordFile}`);
      } finally {
        progress.done();
      }
    });
}

function verifiedText(v: Verification | undefined): string {
  if (!v) return 'no';
  return v.ok ? v.verifiedAt : `FAILED ${v.verifiedAt}`;
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function seconds(m: Manifest): string {
  return ((Date.parse(m.endTime) - Date.parse(m.startTime)) / 1000).toFixed(1);
}

/** "read 1.2 GB of ~3.4 GB (85 MB/s, ETA 26 s), stored 410 MB" */
export function backupLine(p: BackupProgress): string {
  const rate = p.read / Math.max(p.seconds, 0.001);
  const eta = p.total && rate > 0 && p.total > p.read ? `, ETA ${Math.ceil((p.total - p.read) / rate)} s` : '';
  return `read ${mb(p.read)}${p.total ? ` of ~${mb(p.total)}` : ''} (${mb(rate)}/s${eta}), stored ${mb(p.stored)}`;
}
