// A MariaDB data directory: does it hold data, creating an empty one (system tables only)
// for the very first primary, and settling a fresh clone. Shared by the sandbox and the
// instance agent.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.js';

export const INSTALL_DB = process.env.ORDINAL_INSTALL_DB || 'mariadb-install-db';
export const MARIADBD = process.env.ORDINAL_MARIADBD || '/usr/sbin/mariadbd';

/** The system schema exists only in a finished initialization or clone (both rename last). */
export function hasData(datadir: string): boolean {
  return existsSync(join(datadir, 'mysql'));
}

/**
 * mariadb-install-db into a staging folder, renamed into place at the end. Its bootstrap server
 * gets a tmpdir of its own: any server starting on the host deletes the `#sql*` files in its
 * tmpdir, and with a shared /tmp that was this one's temporary tables (a CI run saw it fail so).
 */
export async function installDatadir(datadir: string, osUser: string): Promise<void> {
  const staging = `${datadir}.init`;
  const tmp = `${datadir}.init-tmp`;
  for (const dir of [staging, tmp]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  if (process.getuid?.() === 0 && osUser !== 'root') await run('chown', [osUser, tmp]);
  try {
    await run(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${staging}`,
      `--user=${osUser}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
      `--tmpdir=${tmp}`,
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(datadir, { recursive: true, force: true });
  // Rename last: a crash before this point leaves no half-initialized data dir behind.
  renameSync(staging, datadir);
}

/**
 * A copy taken under writes can hold transactions that were prepared, not committed, in the
 * donor's InnoDB when the copy ended. They come after the copy's GTID position (commits are
 * ordered), so replication brings them again; but a server whose binary log does not know
 * them refuses to start ("Found N prepared transactions!"), on every try. One pass of
 * mariadbd with --tc-heuristic-recover=ROLLBACK rolls them back and exits, by design.
 */
export async function rollBackPrepared(defaultsFile: string, scratchDir: string, datadir?: string): Promise<void> {
  mkdirSync(scratchDir, { recursive: true });
  const log = join(scratchDir, 'recover.err');
  rmSync(log, { force: true });
  const args = [`--defaults-file=${defaultsFile}`, ...(datadir ? [`--datadir=${datadir}`] : []), '--tc-heuristic-recover=ROLLBACK', '--skip-networking', `--log-error=${log}`, `--socket=${join(scratchDir, 'recover.sock')}`, `--tmpdir=${scratchDir}`];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(MARIADBD, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  if (!text.includes('Please restart without --tc-heuristic-recover')) {
    throw new Error(`settling the copy's prepared transactions failed (mariadbd exited with ${code}): ${text.trim().split('\n').slice(-4).join(' | ')}`);
  }
}
