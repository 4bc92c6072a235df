// Compression with Debian's zstd, in its own process: it uses the other core while the
// backup tool reads, and the stream never has to be compressed in Node's event loop. The
// codec was chosen by measurement (docs/benchmarks.md, `npm run bench:backup`).
import type { Readable, Writable } from 'node:stream';
import { tool, type Tool } from '../mariadb/run.js';

export const ZSTD = process.env.ORDINAL_ZSTD || 'zstd';
/** Level 1: as fast as the disk reads on these machines, and still about a third of the size. */
export const ZSTD_LEVEL = 1;

/** zstd reading `input` (a pipe from another process, or 'pipe' to write it from Node). */
export function compressor(input: Readable | 'pipe'): Tool {
  return tool(ZSTD, ['-q', `-${ZSTD_LEVEL}`, '-c'], [input, 'pipe', 'pipe']);
}

/** zstd -d writing to `output` (another process's stdin, or 'pipe' to read it in Node). */
export function decompressor(output: Writable | 'pipe'): Tool {
  return tool(ZSTD, ['-q', '-d', '-c'], ['pipe', output, 'pipe']);
}
