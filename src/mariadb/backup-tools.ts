// Physical copies with mariadb-backup, shared by the sandbox and the instance agent: the
// donor streams its data (xbstream), the receiver extracts it (mbstream) into a staging
// folder, prepares it, and renames it into place last, so a clone killed midway leaves
// nothing a retry could trip over. The copy's GTID position becomes the new replica's
// gtid_slave_pos on its first start.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { formatGtids, stateAtPosition, toPosition, toState } from '../db/gtid.js';
import { run } from './run.js';

export const MARIADB_BACKUP = process.env.ORDINAL_MARIADB_BACKUP || 'mariadb-backup';
export const MBSTREAM = process.env.ORDINAL_MBSTREAM || 'mbstream';

export interface BackupSource {
  datadir: string;
  /** Option file (mode 0600) with the operator's user and password (and socket): never argv. */
  optionFile: string;
  /** Without them, the option file's socket is used. */
  host?: string;
  port?: number;
}

/** What a clone asks its donor once the copy is prepared. */
export interface Donor {
  /** The donor's @@gtid_binlog_state now. */
  binlogState(): Promise<string>;
  /** BINLOG_GTID_POS(file, pos) on the donor: the GTID position at that binlog offset, '' if unknown. */
  gtidAt(file: string, pos: number): Promise<string>;
}

export interface CloneResult {
  bytes: number;
  /** The position the copy is consistent with (becomes gtid_slave_pos). */
  gtid: string;
  /** The donor's gtid_binlog_state at that position (becomes gtid_binlog_state). */
  binlogState: string;
  seconds: number;
}

/** `mariadb-backup --backup --stream=xbstream` of a local server; the stream is its stdout. */
export function startBackup(source: BackupSource, tmpDir: string): ChildProcess {
  mkdirSync(tmpDir, { recursive: true });
  const args = [`--defaults-extra-file=${source.optionFile}`, '--backup', '--stream=xbstream'];
  if (source.host) args.push(`--host=${source.host}`);
  if (source.port) args.push(`--port=${source.port}`);
  args.push(`--datadir=${source.datadir}`, `--target-dir=${tmpDir}`);
  return spawn(MARIADB_BACKUP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Extract an xbstream into `into` with mbstream, counting the bytes that pass. */
export function extractStream(input: Readable, into: string, onProgress?: (bytes: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const extract = spawn(MBSTREAM, ['-x', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let bytes = 0;
    let log = '';
    let failed: Error | undefined;
    const fail = (err: Error) => {
      failed ??= err;
      extract.kill('SIGKILL');
    };
    extract.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    extract.stdin.on('error', () => {}); // mbstream's exit code tells
    extract.on('error', fail);
    input.on('data', (d: Buffer) => {
      bytes += d.length;
      onProgress?.(bytes);
    });
    // A stream cut short must fail the copy even if mbstream accepts what it got.
    input.on('error', (err) => fail(new Error(`the backup stream broke: ${err.message}`)));
    input.on('aborted', () => fail(new Error('the backup stream was cut short')));
    input.pipe(extract.stdin);
    extract.on('close', (code) => {
      if (!failed && code !== 0) failed = new Error(`mbstream exited with code ${code}: ${tail(log)}`);
      failed ? reject(failed) : resolve(bytes);
    });
  });
}

/**
 * mariadb-backup --stream | mbstream -x on one machine (the sandbox). The stream goes from one
 * process to the other through an OS pipe, never through Node (which cost a third of the
 * throughput); progress is the size of what has been extracted so far.
 */
export async function streamBackup(source: BackupSource, into: string, onProgress?: (bytes: number) => void): Promise<number> {
  const tmp = join(into, '..', `.backup-tmp-${process.pid}`);
  const backup = startBackup(source, tmp);
  const extract = spawn(MBSTREAM, ['-x', '-C', into], { stdio: [backup.stdout!, 'ignore', 'pipe'] });
  backup.stdout!.destroy(); // mbstream holds the pipe now; ours would only keep it open
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-4000));
  backup.stderr!.on('data', keep);
  extract.stderr!.on('data', keep);
  const exit = (p: ChildProcess) => new Promise<number | null>((resolve) => p.once('close', resolve));
  const progress = onProgress ? setInterval(() => onProgress(treeBytes(into)), 1000) : undefined;
  try {
    const [backupCode, extractCode] = await Promise.all([
      exit(backup).then((code) => {
        if (code !== 0) extract.kill('SIGKILL');
        return code;
      }),
      exit(extract).then((code) => {
        if (code !== 0) backup.kill('SIGKILL');
        return code;
      }),
    ]);
    if (backupCode !== 0) throw new Error(`mariadb-backup exited with code ${backupCode}: ${tail(log)}`);
    if (extractCode !== 0) throw new Error(`mbstream exited with code ${extractCode}: ${tail(log)}`);
    const bytes = treeBytes(into);
    onProgress?.(bytes);
    return bytes;
  } finally {
    clearInterval(progress);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Bytes in the files under `dir`. */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    try {
      total += e.isDirectory() ? treeBytes(path) : statSync(path).size;
    } catch {
      // gone while we looked
    }
  }
  return total;
}

/**
 * Fill a staging folder with `copy`, prepare it, find the GTID position it is consistent
 * with, trim the donor's binlog state to it and rename it into place. `beforeRename` runs
 * last, while a failure still leaves no data dir: the caller writes the first-start SQL there.
 */
export async function cloneInto(
  datadir: string,
  copy: (staging: string) => Promise<number>,
  donor: Donor,
  beforeRename?: (result: CloneResult, staging: string) => void | Promise<void>,
): Promise<CloneResult> {
  const started = Date.now();
  const staging = `${datadir}.clone`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const bytes = await copy(staging);
    await run(MARIADB_BACKUP, ['--prepare', `--target-dir=${staging}`]);
    const gtid = await consistentGtid(staging, donor);
    // Read after the copy: entries newer than the copy's position are cut off again.
    const binlogState = formatGtids(stateAtPosition(toState(await donor.binlogState()), toPosition(gtid)).values());
    const result = { bytes, gtid, binlogState, seconds: (Date.now() - started) / 1000 };
    await beforeRename?.(result, staging);
    rmSync(datadir, { recursive: true, force: true });
    renameSync(staging, datadir);
    return result;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The GTID position the prepared data holds. xtrabackup_binlog_info is read while commits
 * are blocked, but a donor that is a parallel-applying replica was seen to have committed
 * more than that into InnoDB (the clone then failed on duplicate keys). The binlog offset
 * InnoDB itself recorded with its last commit (xtrabackup_binlog_pos_innodb, written by
 * --prepare) is exact; the donor translates it into GTIDs.
 */
async function consistentGtid(dir: string, donor: Donor): Promise<string> {
  const recorded = readBackupGtid(dir);
  const innodb = readInnodbBinlogPos(dir);
  if (!innodb) return recorded;
  return (await donor.gtidAt(innodb.file, innodb.pos)) || recorded;
}

/** The binlog file and offset of the last transaction InnoDB committed in the copy. */
export function readInnodbBinlogPos(dir: string): { file: string; pos: number } | undefined {
  const path = join(dir, 'xtrabackup_binlog_pos_innodb');
  if (!existsSync(path)) return undefined;
  const [file, pos] = readFileSync(path, 'utf8').trim().split(/\s+/);
  const n = Number(pos);
  return file && Number.isInteger(n) && n > 0 ? { file: basename(file), pos: n } : undefined;
}

/** SQL for the clone's first start: resume exactly where the copy ends, with full GTID history. */
export function cloneInitSql(result: Pick<CloneResult, 'gtid' | 'binlogState'>): string {
  const clean = (s: string) => s.replace(/[^0-9,-]/g, '');
  return [
    'RESET MASTER',
    `SET GLOBAL gtid_binlog_state = '${clean(result.binlogState)}'`,
    `SET GLOBAL gtid_slave_pos = '${clean(result.gtid)}'`,
  ].join(';\n') + ';\n';
}

/** The GTID position the backup is consistent with (third field of xtrabackup_binlog_info). */
export function readBackupGtid(dir: string): string {
  const file = join(dir, 'xtrabackup_binlog_info');
  if (!existsSync(file)) return '';
  const fields = readFileSync(file, 'utf8').trim().split(/\s+/);
  return fields[2] ?? '';
}

function tail(log: string): string {
  return log.trim().split('\n').slice(-4).join(' | ');
}
