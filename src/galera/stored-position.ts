// A stopped node's position from its data: grastate.dat, and where that says -1 (the server
// did not stop cleanly), a `mariadbd --wsrep-recover` run, which reads it from InnoDB.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasData } from '../mariadb/datadir.js';
import { writeAtomic } from '../mariadb/files.js';
import { MARIADBD } from '../mariadb/datadir.js';
import { run } from '../mariadb/run.js';
import { markSafeToBootstrap, parseGrastate, parseRecoveredPosition, ZERO_UUID, type Position } from './position.js';

export interface StoredPosition {
  /** null: the node has no data (never joined, or its first full copy never finished). */
  position: Position | null;
  safeToBootstrap: boolean;
  /** Where the position came from, for the events a person reads. */
  source: 'grastate.dat' | 'wsrep-recover' | 'none';
  /** The data dir holds a database (a node with data but no position may be a copy that never finished). */
  hasData: boolean;
}

export async function storedPosition(datadir: string, optionFile: string): Promise<StoredPosition> {
  const file = join(datadir, 'grastate.dat');
  const data = hasData(datadir);
  if (!data || !existsSync(file)) return { position: null, safeToBootstrap: false, source: 'none', hasData: data };
  const state = parseGrastate(readFileSync(file, 'utf8'));
  if (state && state.seqno >= 0 && state.uuid !== ZERO_UUID) return { position: { uuid: state.uuid, seqno: state.seqno }, safeToBootstrap: state.safeToBootstrap, source: 'grastate.dat', hasData: true };
  // Seqno -1 (no clean stop), the zero UUID, or a file a crashed start left half written:
  // InnoDB holds the truth.
  const position = await recoverPosition(optionFile);
  return { position: position.uuid === ZERO_UUID ? null : position, safeToBootstrap: state?.safeToBootstrap ?? false, source: 'wsrep-recover', hasData: true };
}

/** Runs InnoDB's crash recovery in a private server that reports the last committed write-set and exits. */
export async function recoverPosition(optionFile: string): Promise<Position> {
  const scratch = mkdtempSync(join(tmpdir(), 'ordinal-wsrep-recover-'));
  // The server may switch to its own user (my.cnf's user= when the agent runs as root): it
  // writes its log, socket and pid file here. Nothing secret is written to this folder.
  chmodSync(scratch, 0o777);
  const log = join(scratch, 'recover.log');
  try {
    await run(MARIADBD, [`--defaults-file=${optionFile}`, '--wsrep-recover', `--log-error=${log}`, '--skip-networking', `--socket=${join(scratch, 'sock')}`, `--pid-file=${join(scratch, 'pid')}`]);
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const position = parseRecoveredPosition(text);
    if (!position) throw new Error(`mariadbd --wsrep-recover reported no position: ${text.split('\n').filter((l) => /ERROR/.test(l)).slice(-2).join(' ') || 'no output'}`);
    return position;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Galera refuses --wsrep-new-cluster unless grastate.dat says safe_to_bootstrap: 1. */
export function markSafeToBootstrapFile(datadir: string): void {
  const file = join(datadir, 'grastate.dat');
  if (existsSync(file)) writeAtomic(file, markSafeToBootstrap(readFileSync(file, 'utf8')), 0o660);
}
