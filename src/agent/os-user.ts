// mariadbd refuses to run as root; in the image (and in tests run as root) it runs as mysql,
// so everything it writes must belong to mysql.
import { userInfo } from 'node:os';
import { run } from '../mariadb/run.js';

export const MYSQL_USER = 'mysql';

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The OS user mariadbd runs as: mysql when we are root, else ourselves. */
export function serverUser(): string {
  return runningAsRoot() ? MYSQL_USER : userInfo().username;
}

/** Hand paths (recursively) to mysql when we are root; a no-op otherwise. */
export async function giveToServer(...paths: string[]): Promise<void> {
  if (runningAsRoot()) await run('chown', ['-R', `${MYSQL_USER}:${MYSQL_USER}`, ...paths]);
}
