// The first-start SQL of a clone or a restored instance (RESET MASTER, the binary log state,
// gtid_slave_pos) must run exactly once: run again after the instance replicated or took
// writes, it would set the instance back to the copy's position (replication then stops on
// duplicate keys) and throw its binary log away. Whoever empties the file after the server
// answered can be too late (a crash in between), so before every start the data itself says
// whether it ran: that SQL leaves the state in the first binary log's Gtid_list event, and
// only it (or replication, later) puts any there.
import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readBinlogFacts, type BinlogFacts } from './binlog-file.js';

export const BINLOG_INDEX = 'mariadb-bin.index';

/** PURE: the first binary log shows a start state or a transaction: the first-start SQL ran. */
export function firstStartRan(first: Pick<BinlogFacts, 'startState' | 'transactions'> | undefined): boolean {
  return !!first && (first.startState.length > 0 || first.transactions > 0);
}

/** Empty `initFile` (in place: mariadbd must still open it) when the data shows it ran. */
export function forgetSpentInitFile(datadir: string, initFile: string): boolean {
  if (!existsSync(initFile) || statSync(initFile).size === 0) return false;
  const index = join(datadir, BINLOG_INDEX);
  if (!existsSync(index)) return false;
  const firstName = readFileSync(index, 'utf8').split('\n').map((l) => l.trim()).find(Boolean);
  const first = firstName ? join(datadir, basename(firstName)) : undefined;
  if (!first || !existsSync(first) || !firstStartRan(readBinlogFacts(first, { head: true }))) return false;
  truncateSync(initFile, 0);
  return true;
}
