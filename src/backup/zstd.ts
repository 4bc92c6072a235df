// Compression with Debian's zstd, in its own process: it uses the other core while the
// backup tool reads, and the stream never has to be compressed in Node's event loop. The
// codec was chosen by measurement (docs/benchmarks.md, `npm run bench:backup`).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export const ZSTD = process.env.ORDINAL_ZSTD || 'zstd';
/** Level 1: as fast as the disk reads on these machines, and still about a third of the size. */
export const ZSTD_LEVEL = 1;

export interface Tool {
  process: ChildProcess;
  /** Resolves on exit 0; rejects with the tail of stderr otherwise. */
  done: Promise<void>;
}

/** Spawn a tool and know how it ended; stdio as given. */
export function tool(cmd: string, args: string[], stdio: Array<'pipe' | 'ignore' | Readable | Writable | number>, env?: NodeJS.ProcessEnv): Tool {
  const child = spawn(cmd, args, { stdio: stdio as never, env: env ?? process.env });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${log.trim() ? `: ${log.trim().split('\n').slice(-4).join(' | ')}` : ''}`));
    });
  });
  done.catch(() => {}); // callers await it; an early failure must not be unhandled
  return { process: child, done };
}

/** zstd reading `input` (a pipe from another process, or 'pipe' to write it from Node). */
export function compressor(input: Readable | 'pipe'): Tool {
  return tool(ZSTD, ['-q', `-${ZSTD_LEVEL}`, '-c'], [input, 'pipe', 'pipe']);
}

/** zstd -d writing to `output` (another process's stdin, or 'pipe' to read it in Node). */
export function decompressor(output: Writable | 'pipe'): Tool {
  return tool(ZSTD, ['-q', '-d', '-c'], ['pipe', output, 'pipe']);
}
