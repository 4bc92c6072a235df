// An archived binary log file ("segment"): its data object (zstd) and, written after it, a
// small JSON record of what it holds. The records are the archive's index; a data object
// without one was never finished. Keys hold the server and the GTID range, not only the file
// name: a server that is primary again after a failback reuses its old file names.
import type { BinlogFacts } from '../mariadb/binlog-file.js';
import { formatGtids } from '../db/gtid.js';
import type { Store } from './store.js';
import type { Head } from './timeline.js';

export interface Segment {
  format: 1;
  cluster: string;
  serverId: number;
  /** The file's name on its server, for people. */
  file: string;
  /** The data object's key. */
  key: string;
  /** The binlog state before its first transaction. */
  startState: string;
  first: string;
  last: string;
  /** Sequence numbers of its first and last transaction in the cluster's GTID domain. */
  firstSeq: number;
  lastSeq: number;
  /** Event times (whole seconds, as the server stamps them), ISO 8601. */
  firstTime: string;
  lastTime: string;
  /** When the server closed the file: every event stamped earlier is in it or before it. */
  closedAt: string;
  transactions: number;
  bytes: number;
  sha256: string;
}

export const SEGMENT_RECORD = '.json';

export function archivePrefix(cluster: string): string {
  return `${cluster}/binlogs/`;
}

/** The archive's head record (see archiver.ts): complete through which transaction, until when. */
export function headKey(cluster: string): string {
  return `${archivePrefix(cluster)}head.json`;
}

export async function readHead(store: Store, cluster: string): Promise<Head | undefined> {
  const text = await store.getText(headKey(cluster));
  return text ? (JSON.parse(text) as Head) : undefined;
}

const pad = (n: number) => String(n).padStart(20, '0');

/** The data object's key of a closed binlog file with transactions. */
export function segmentKey(cluster: string, serverId: number, file: string, facts: BinlogFacts): string {
  return `${archivePrefix(cluster)}${serverId}/${pad(facts.first!.seq)}-${pad(facts.last!.seq)}-${file}.zst`;
}

export function segmentRecord(cluster: string, serverId: number, file: string, facts: BinlogFacts, stored: { key: string; bytes: number; sha256: string }): Segment {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  return {
    format: 1,
    cluster,
    serverId,
    file,
    key: stored.key,
    startState: formatGtids(facts.startState),
    first: formatGtids([facts.first!]),
    last: formatGtids([facts.last!]),
    firstSeq: facts.first!.seq,
    lastSeq: facts.last!.seq,
    firstTime: iso(facts.firstTime!),
    lastTime: iso(facts.lastTime!),
    closedAt: iso(facts.closedAt!),
    transactions: facts.transactions,
    bytes: stored.bytes,
    sha256: stored.sha256,
  };
}

/** Every finished segment of a cluster's archive. */
export async function listSegments(store: Store, cluster: string): Promise<Segment[]> {
  const objects = await store.list(archivePrefix(cluster));
  const out: Segment[] = [];
  for (const o of objects.filter((x) => x.key.endsWith(SEGMENT_RECORD) && x.key !== headKey(cluster))) {
    const text = await store.getText(o.key);
    if (text) out.push(JSON.parse(text) as Segment);
  }
  return out;
}
