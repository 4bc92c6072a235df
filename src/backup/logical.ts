// A logical backup: mariadb-dump in one consistent snapshot (--single-transaction), with the
// GTID position of that snapshot (--gtid --master-data=2 prints it as a comment at the end),
// compressed by zstd. The dump passes through Node on its way to zstd, to read that comment.
import { Transform, type TransformCallback } from 'node:stream';
import type { BackupSource, Produced } from './producer.js';
import { tool } from '../mariadb/run.js';
import { compressor } from './zstd.js';

export const LOGICAL_FILE = 'dump.sql.zst';
export const MARIADB_DUMP = process.env.ORDINAL_MARIADB_DUMP || 'mariadb-dump';

/** Schemas that belong to the server, not to the data: a restored cluster has its own. */
export const SYSTEM_SCHEMAS = new Set(['mysql', 'sys', 'information_schema', 'performance_schema']);

export function logicalBackup(source: BackupSource, databases: string[], estimate?: number): Produced {
  const dump = tool(MARIADB_DUMP, [
    `--defaults-extra-file=${source.optionFile}`,
    `--host=${source.host}`,
    `--port=${source.port}`,
    '--single-transaction',
    '--gtid',
    '--master-data=2',
    '--routines',
    '--events',
    '--triggers',
    '--hex-blob',
    '--databases',
    ...databases,
  ], ['ignore', 'pipe', 'pipe']);
  const zstd = compressor('pipe');
  const tail = new Tail();
  dump.process.stdout!.pipe(tail).pipe(zstd.process.stdin!);
  zstd.process.stdin!.on('error', () => {}); // zstd's exit code tells
  const kill = () => {
    dump.process.kill('SIGKILL');
    zstd.process.kill('SIGKILL');
  };
  dump.done.catch(() => zstd.process.kill('SIGKILL'));
  const finished = Promise.all([dump.done, zstd.done]).then(() => {
    const gtid = gtidOfDump(tail.text());
    if (gtid === undefined) throw new Error('mariadb-dump wrote no GTID position (gtid_slave_pos) at the end of the dump');
    return { gtid };
  });
  return { stream: zstd.process.stdout!, file: LOGICAL_FILE, progress: () => ({ bytes: tail.bytes, total: estimate }), finished, kill };
}

/** "-- SET GLOBAL gtid_slave_pos='0-1-10';" -> "0-1-10"; undefined when absent. */
export function gtidOfDump(text: string): string | undefined {
  const all = [...text.matchAll(/^-- SET GLOBAL gtid_slave_pos='([0-9,-]*)';$/gm)];
  return all.length ? all[all.length - 1][1] : undefined;
}

/** Passes everything on, keeping the last few kilobytes (where the GTID comment is). */
class Tail extends Transform {
  bytes = 0;
  private last = '';
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.last = (this.last + chunk.subarray(Math.max(0, chunk.length - 8192)).toString('latin1')).slice(-8192);
    done(null, chunk);
  }
  text(): string {
    return this.last;
  }
}
