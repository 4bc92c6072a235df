// Clone a new or broken instance from a donor: mariadb-backup streams the donor's data
// (xbstream) straight into mbstream on the receiving side, the copy is prepared, and the
// GTID position it holds becomes the new replica's gtid_slave_pos on first start.
// Everything happens in a staging folder renamed into place at the end, so a clone that
// is killed midway leaves nothing a retry could trip over.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatGtids, stateAtPosition, toPosition, toState } from '../../db/gtid.js';
import { run } from './run.js';

export const MARIADB_BACKUP = process.env.ORDINAL_MARIADB_BACKUP || 'mariadb-backup';
export const MBSTREAM = process.env.ORDINAL_MBSTREAM || 'mbstream';

export interface CloneSource {
  host: string;
  port: number;
  datadir: string;
  /** Option file (mode 0600) with the operator's user and password: never argv. */
  optionFile: string;
}

export interface CloneResult {
  bytes: number;
  /** The position the copy is consistent with (becomes gtid_slave_pos). */
  gtid: string;
  /** The donor's gtid_binlog_state at that position (becomes gtid_binlog_state). */
  binlogState: string;
  seconds: number;
}

export async function cloneInto(
  source: CloneSource,
  datadir: string,
  donorBinlogState: () => Promise<string>,
  onProgress?: (bytes: number) => void,
): Promise<CloneResult> {
  const started = Date.now();
  const staging = `${datadir}.clone`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const bytes = await streamBackup(source, staging, onProgress);
  await run(MARIADB_BACKUP, [`--defaults-extra-file=${source.optionFile}`, '--prepare', `--target-dir=${staging}`]);
  const gtid = readBackupGtid(staging);
  // Read after the copy: entries newer than the copy's position are cut off again.
  const position = toPosition(gtid);
  const binlogState = formatGtids(stateAtPosition(toState(await donorBinlogState()), position).values());
  rmSync(datadir, { recursive: true, force: true });
  renameSync(staging, datadir);
  return { bytes, gtid, binlogState, seconds: (Date.now() - started) / 1000 };
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

/** mariadb-backup --stream | mbstream -x, counting the bytes that pass. */
export function streamBackup(source: CloneSource, into: string, onProgress?: (bytes: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const tmp = join(into, '..', `.backup-tmp-${process.pid}`);
    mkdirSync(tmp, { recursive: true });
    const backup = spawn(
      MARIADB_BACKUP,
      [
        `--defaults-extra-file=${source.optionFile}`,
        '--backup',
        '--stream=xbstream',
        `--host=${source.host}`,
        `--port=${source.port}`,
        `--datadir=${source.datadir}`,
        `--target-dir=${tmp}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const extract = spawn(MBSTREAM, ['-x', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let bytes = 0;
    let log = '';
    const keep = (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    };
    backup.stderr.on('data', keep);
    extract.stderr.on('data', keep);
    backup.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      onProgress?.(bytes);
    });
    backup.stdout.pipe(extract.stdin);
    extract.stdin.on('error', () => {});
    let pending = 2;
    let failed: Error | undefined;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = new Error(`${what} exited with code ${code}: ${log.trim().split('\n').slice(-4).join(' | ')}`);
        backup.kill('SIGKILL');
        extract.kill('SIGKILL');
      }
      if (--pending === 0) {
        rmSync(tmp, { recursive: true, force: true });
        failed ? reject(failed) : resolve(bytes);
      }
    };
    backup.on('close', done('mariadb-backup'));
    extract.on('close', done('mbstream'));
    backup.on('error', (e) => reject(e));
    extract.on('error', (e) => reject(e));
  });
}

/** The GTID position the backup is consistent with (third field of xtrabackup_binlog_info). */
export function readBackupGtid(dir: string): string {
  const file = join(dir, 'xtrabackup_binlog_info');
  if (!existsSync(file)) return '';
  const fields = readFileSync(file, 'utf8').trim().split(/\s+/);
  return fields[2] ?? '';
}
