// Replaying archived binary logs into a restored server (point-in-time recovery). The plan's
// segments are downloaded and checked, a target time becomes the last transaction before it
// (so only whole transactions are replayed), and each piece goes through
// `mariadb-binlog --start-position --stop-position | mariadb` with GTIDs, never file offsets.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatGtids, type Gtid } from '../db/gtid.js';
import { lastBefore } from '../mariadb/binlog-file.js';
import type { PrivateServer } from '../mariadb/private-server.js';
import { readChecked } from './measure.js';
import { MARIADB_CLIENT } from './seed.js';
import type { Piece, ReplayPlan } from './timeline.js';
import type { Store } from './store.js';
import { tool } from '../mariadb/run.js';
import { decompressor } from './zstd.js';

export const MARIADB_BINLOG = process.env.ORDINAL_MARIADB_BINLOG || 'mariadb-binlog';

export interface Replayed {
  /** The position the data holds after the replay. */
  gtid: string;
  transactions: number;
}

/** Replay `plan` (made from position `from`, "0-S-N") into `server`; returns the new position. */
export async function replay(store: Store, plan: Extract<ReplayPlan, { ok: true }>, from: string, server: PrivateServer, scratch: string, onProgress?: (what: string, bytes: number) => void): Promise<Replayed> {
  mkdirSync(scratch, { recursive: true });
  let reached: Gtid | undefined;
  let transactions = 0;
  try {
    for (const [i, piece] of plan.pieces.entries()) {
      const file = join(scratch, `${i}.binlog`);
      await download(store, piece, file, onProgress);
      let through = piece.through;
      let done = false;
      if (plan.stopTime) {
        const cut = lastBefore(file, plan.stopTime.getTime() / 1000, piece.after, piece.through);
        if (cut.reached) {
          done = true;
          if (!cut.last) break; // the first transaction of this piece is already too late
          through = cut.last.seq;
        }
      }
      onProgress?.(`replaying ${piece.segment.file} of server ${piece.segment.serverId} (transactions ${piece.after + 1} to ${through})`, 0);
      await replayPiece(file, piece, through, server);
      reached = { domain: 0, server: piece.segment.serverId, seq: through };
      transactions += through - piece.after;
      rmSync(file, { force: true });
      if (done) break;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { gtid: reached ? formatGtids([reached]) : from, transactions };
}

/** A segment, checked, decompressed into `file` for mariadb-binlog. */
function download(store: Store, piece: Piece, file: string, onProgress?: (what: string, bytes: number) => void): Promise<void> {
  return readChecked(store, piece.segment.key, piece.segment, async (input) => {
    const unzstd = decompressor('pipe');
    unzstd.process.stdin!.on('error', () => {}); // its exit code tells
    input.on('error', () => unzstd.process.kill('SIGKILL'));
    input.pipe(unzstd.process.stdin!);
    await Promise.all([pipeline(unzstd.process.stdout!, createWriteStream(file)), unzstd.done]);
  }, (bytes) => onProgress?.(`downloading ${piece.segment.file}`, bytes));
}

/** One piece, whole transactions after `piece.after` through `through`, into the server. */
async function replayPiece(file: string, piece: Piece, through: number, server: PrivateServer): Promise<void> {
  const at = (seq: number) => `0-${piece.segment.serverId}-${seq}`;
  const load = tool(MARIADB_CLIENT, ['--no-defaults', `--socket=${server.socket}`, '--user=root', '--binary-mode'], ['pipe', 'ignore', 'pipe']);
  const decode = tool(MARIADB_BINLOG, ['--no-defaults', '--skip-gtid-strict-mode', `--start-position=${at(piece.after)}`, `--stop-position=${at(through)}`, file], ['ignore', load.process.stdin!, 'pipe']);
  load.process.stdin!.destroy(); // mariadb-binlog holds the pipe now
  await Promise.all([decode.done, load.done]);
}
