// A MariaDB data directory: does it hold data, and creating an empty one (system tables
// only) for the very first primary. Shared by the sandbox and the instance agent.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.js';

export const INSTALL_DB = process.env.ORDINAL_INSTALL_DB || 'mariadb-install-db';

/** The system schema exists only in a finished initialization or clone (both rename last). */
export function hasData(datadir: string): boolean {
  return existsSync(join(datadir, 'mysql'));
}

/** mariadb-install-db into a staging folder, renamed into place at the end. */
export async function installDatadir(datadir: string, osUser: string): Promise<void> {
  const staging = `${datadir}.init`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run(INSTALL_DB, [
    '--no-defaults',
    `--datadir=${staging}`,
    `--user=${osUser}`,
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
  ]);
  rmSync(datadir, { recursive: true, force: true });
  // Rename last: a crash before this point leaves no half-initialized data dir behind.
  renameSync(staging, datadir);
}
