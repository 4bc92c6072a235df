// The sandbox's logs: the supervisor's, and each instance's MariaDB error log.
import { existsSync, readFileSync } from 'node:fs';
import type { ClusterPaths } from '../platform/local/paths.js';
import { existingCluster } from './clusters.js';

/** The supervisor's log, or instance `ordinal`'s error log. */
export function logFile(name: string, ordinal?: number): string {
  const paths = existingCluster(name);
  const file = ordinal === undefined ? paths.supervisorLog : paths.instance(ordinal).errorLog;
  if (!existsSync(file)) throw new Error(`no log yet at ${file}`);
  return file;
}

export function lastLines(file: string, n: number): string[] {
  const text = readFileSync(file, 'utf8').trimEnd();
  const lines = text ? text.split('\n') : [];
  return lines.slice(Math.max(0, lines.length - n));
}

/** The end of the supervisor's log for an error message; empty if there is none. */
export function supervisorLogTail(paths: ClusterPaths, n: number): string {
  try {
    return lastLines(paths.supervisorLog, n).join('\n');
  } catch {
    return '';
  }
}
