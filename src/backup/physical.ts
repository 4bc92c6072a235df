// A physical backup: mariadb-backup --stream=xbstream piped (an OS pipe, not through Node)
// into zstd. Its GTID position comes from xtrabackup_info, which --extra-lsndir writes
// beside the stream.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MARIADB_BACKUP, treeBytes } from '../mariadb/backup-tools.js';
import type { BackupSource, Produced } from './producer.js';
import { tool } from '../mariadb/run.js';
import { compressor } from './zstd.js';

export const PHYSICAL_FILE = 'data.xbstream.zst';

export function physicalBackup(source: BackupSource, scratch: string): Produced {
  rmSync(scratch, { recursive: true, force: true });
  const infoDir = join(scratch, 'info');
  mkdirSync(infoDir, { recursive: true });
  const backup = tool(MARIADB_BACKUP, [
    `--defaults-extra-file=${source.optionFile}`,
    '--backup',
    '--stream=xbstream',
    `--host=${source.host}`,
    `--port=${source.port}`,
    `--datadir=${source.datadir}`,
    `--target-dir=${join(scratch, 'tmp')}`,
    `--extra-lsndir=${infoDir}`,
  ], ['ignore', 'pipe', 'pipe']);
  const zstd = compressor(backup.process.stdout!);
  backup.process.stdout!.destroy(); // zstd holds the pipe now
  const total = treeBytes(source.datadir);
  const kill = () => {
    backup.process.kill('SIGKILL');
    zstd.process.kill('SIGKILL');
  };
  backup.done.catch(() => zstd.process.kill('SIGKILL'));
  const finished = Promise.all([backup.done, zstd.done]).then(() => {
    const info = readFileSync(join(infoDir, 'xtrabackup_info'), 'utf8');
    rmSync(scratch, { recursive: true, force: true });
    return { gtid: gtidOfInfo(info) };
  });
  let read = 0; // the last count seen: the process's counters go with it
  const progress = () => ({ bytes: (read = Math.max(read, bytesRead(backup.process.pid))), total });
  return { stream: zstd.process.stdout!, file: PHYSICAL_FILE, progress, finished, kill };
}

/** "binlog_pos = filename 'x', position 'y', GTID of the last change '0-1-10'" -> "0-1-10". */
export function gtidOfInfo(info: string): string {
  return /GTID of the last change '([^']*)'/.exec(info)?.[1] ?? '';
}

/** What a process has read so far (the stream never passes through Node to be counted). */
function bytesRead(pid: number | undefined): number {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

