import { readFileSync, existsSync, chmodSync } from 'node:fs';
import { generatePassword } from '../../db/accounts.js';
import { writeAtomic } from '../../mariadb/files.js';

export { writeAtomic };

/** A secret file (mode 0600): created with a random value once, then read as it is. */
export function ensureSecretFile(path: string): string {
  if (!existsSync(path)) writeAtomic(path, generatePassword(), 0o600);
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A dead child that nobody reaped yet is a zombie: it is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The process's command line contains `needle` (guards against a recycled pid). */
export function pidRuns(pid: number | undefined, needle: string): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
  } catch {
    return false;
  }
}
