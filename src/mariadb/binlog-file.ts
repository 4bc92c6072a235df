// What a closed binary log file holds, read from its event headers without mariadb-binlog:
// the GTID state it starts from (its Gtid_list event), its first and last transaction, their
// times, and when it was rotated. The archive keys and orders files by these, never by name.
import { closeSync, openSync, readSync } from 'node:fs';
import type { Gtid } from '../db/gtid.js';

const MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
const HEADER = 19;
const ROTATE_EVENT = 4;
const STOP_EVENT = 3;
const GTID_EVENT = 162;
const GTID_LIST_EVENT = 163;

export interface BinlogFacts {
  /** The binlog state (last GTID per domain and server) before the file's first transaction. */
  startState: Gtid[];
  /** Its first and last transaction; undefined when it holds none. */
  first?: Gtid;
  last?: Gtid;
  /** Event times, in whole seconds since the epoch (what the server stamps). */
  firstTime?: number;
  lastTime?: number;
  /** When the server closed it (its Rotate or Stop event); undefined: still being written. */
  closedAt?: number;
  transactions: number;
}

/** `head`: stop at the first transaction (its start state and whether it holds any). */
export function readBinlogFacts(path: string, opts: { head?: boolean } = {}): BinlogFacts {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    if (readSync(fd, magic, 0, 4, 0) !== 4 || !magic.equals(MAGIC)) throw new Error(`${path} is not a binary log`);
    const facts: BinlogFacts = { startState: [], transactions: 0 };
    const header = Buffer.alloc(HEADER);
    let pos = 4;
    for (;;) {
      if (readSync(fd, header, 0, HEADER, pos) < HEADER) break; // the end, or an event still being written
      const time = header.readUInt32LE(0);
      const type = header.readUInt8(4);
      const serverId = header.readUInt32LE(5);
      const length = header.readUInt32LE(9);
      if (length < HEADER) throw new Error(`${path}: a broken event at offset ${pos}`);
      if (type === GTID_EVENT) {
        const body = Buffer.alloc(12);
        if (readSync(fd, body, 0, 12, pos + HEADER) < 12) break;
        const gtid = { domain: body.readUInt32LE(8), server: serverId, seq: Number(body.readBigUInt64LE(0)) };
        facts.first ??= gtid;
        facts.firstTime ??= time;
        facts.last = gtid;
        facts.lastTime = time;
        facts.transactions += 1;
        if (opts.head) break;
      } else if (type === GTID_LIST_EVENT && facts.transactions === 0) {
        const body = Buffer.alloc(length - HEADER);
        readSync(fd, body, 0, body.length, pos + HEADER);
        const count = body.readUInt32LE(0) & 0x0fffffff;
        facts.startState = Array.from({ length: count }, (_, i) => ({
          domain: body.readUInt32LE(4 + i * 16),
          server: body.readUInt32LE(8 + i * 16),
          seq: Number(body.readBigUInt64LE(12 + i * 16)),
        }));
      } else if ((type === ROTATE_EVENT && pos > 4) || type === STOP_EVENT) {
        facts.closedAt = time;
      }
      pos += length;
    }
    return facts;
  } finally {
    closeSync(fd);
  }
}

/**
 * The last transaction of a file, after sequence number `after` and through `through`, that
 * comes before the first transaction stamped at or after `stop` (seconds): where a replay to
 * that time ends in this file. `reached`: a transaction at or after `stop` was seen.
 */
export function lastBefore(path: string, stop: number, after: number, through: number): { last?: Gtid; reached: boolean } {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(HEADER);
    const body = Buffer.alloc(12);
    let last: Gtid | undefined;
    for (let pos = 4; readSync(fd, header, 0, HEADER, pos) === HEADER; pos += header.readUInt32LE(9)) {
      if (header.readUInt8(4) !== GTID_EVENT) continue;
      if (readSync(fd, body, 0, 12, pos + HEADER) < 12) break;
      const seq = Number(body.readBigUInt64LE(0));
      if (seq <= after) continue;
      if (seq > through) break;
      if (header.readUInt32LE(0) >= stop) return { last, reached: true };
      last = { domain: body.readUInt32LE(8), server: header.readUInt32LE(5), seq };
    }
    return { last, reached: false };
  } finally {
    closeSync(fd);
  }
}
