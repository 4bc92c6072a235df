// A mariadbd that nobody else can reach, on a data dir being restored: no network, no binary
// log (nothing done here may become a transaction replicas or a replay would see), no
// replication, no grant checks (the copy's accounts are not ours yet). Used to load a dump,
// reset the accounts and read what the copy holds before the instance starts for real.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { withSession, type Session } from '../db/connection.js';
import { MARIADBD } from './datadir.js';

export interface PrivateServer {
  socket: string;
  session<T>(fn: (s: Session) => Promise<T>, deadlineMs?: number): Promise<T>;
  /** Clean shutdown; resolves once the process exited. */
  stop(): Promise<void>;
}

export async function startPrivateServer(defaultsFile: string, datadir: string, scratch: string): Promise<PrivateServer> {
  mkdirSync(scratch, { recursive: true });
  const socket = join(scratch, 'private.sock');
  const log = join(scratch, 'private.err');
  rmSync(log, { force: true });
  const child = spawn(MARIADBD, [
    `--defaults-file=${defaultsFile}`,
    `--datadir=${datadir}`,
    '--skip-networking',
    `--socket=${socket}`,
    `--pid-file=${join(scratch, 'private.pid')}`,
    `--tmpdir=${scratch}`, // not a shared /tmp: a starting server deletes the #sql files there
    `--log-error=${log}`,
    '--skip-log-bin',
    '--skip-slave-start',
    '--skip-grant-tables',
  ], { stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  const creds = { user: 'root', password: '' };
  const session = <T>(fn: (s: Session) => Promise<T>, deadlineMs = 600_000) =>
    withSession({ host: 'localhost', port: 0 }, creds, fn, { socketPath: socket, deadlineMs, connectTimeoutMs: 2000 });
  const deadline = Date.now() + 600_000; // crash recovery of a large copy takes a while
  for (;;) {
    if (exited) throw new Error(`mariadbd on the restored data exited while starting: ${tailOf(log)}`);
    if (existsSync(socket) && (await session((s) => s.value('SELECT 1'), 5000).then(() => true, () => false))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mariadbd on the restored data did not start within 10 minutes: ${tailOf(log)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    socket,
    session,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const code = await exit;
      if (code !== 0) throw new Error(`mariadbd on the restored data did not shut down cleanly (code ${code}): ${tailOf(log)}`);
    },
  };
}

function tailOf(log: string): string {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-4).join(' | ') : '(no log)';
}
