// Run a tool (mariadb-install-db, mariadb-backup, zstd ...): to completion, collecting its
// output (run), or wired to pipes of other processes (tool).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * What a failed tool said, in one line: its error lines first (mariadb-install-db ends with a
 * page of advice after the server's actual [ERROR]), then its last lines.
 */
export function failureSummary(output: string, tail = 5): string {
  const lines = output.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.slice(-tail);
  const errors = lines.filter((l) => /\[ERROR\]|^ERROR\b|\berror:/i.test(l) && !last.includes(l)).slice(-5);
  return [...errors, ...last].join(' | ');
}

/** Run a command to completion; reject with its exit code, its error lines and the tail of its output. */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${cmd} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: ${failureSummary(output)}`));
    });
  });
}

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
      else reject(new Error(`${cmd} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${log.trim() ? `: ${failureSummary(log, 4)}` : ''}`));
    });
  });
  done.catch(() => {}); // callers await it; an early failure must not be unhandled
  return { process: child, done };
}
