// Continuous archiving of the primary's binary logs (point-in-time recovery). Every interval
// it rotates the primary's binary log when it holds new transactions, uploads each closed
// file it has not archived yet (compressed, keyed by server and GTID range) with its record
// written after it, and writes the archive's head: up to which transaction and until which
// time the archive is complete. It follows whichever instance is the primary at each round.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Credentials, Endpoint } from '../db/connection.js';
import { withSession } from '../db/connection.js';
import type { Logger } from '../clustering/operations.js';
import { formatGtids } from '../db/gtid.js';
import { readBinlogFacts, type BinlogFacts } from '../mariadb/binlog-file.js';
import { Measure } from './measure.js';
import { headKey, listSegments, readHead, segmentKey, segmentRecord, SEGMENT_RECORD, type Segment } from './segment.js';
import type { Store } from './store.js';
import { chainFrom, timeline, type Head } from './timeline.js';
import { compressor } from './zstd.js';

export interface ArchiveSource {
  serverId: number;
  datadir: string;
  endpoint: Endpoint;
  creds: Credentials;
}

export interface ArchiveStatus {
  /** Every transaction stamped before this time can be restored. */
  lastRecoverableTime?: string;
  /** No transaction is missing between the oldest archived and the newest. */
  continuous: boolean;
  segments: number;
  /** The last round's failure, until a round succeeds. */
  error?: string;
  lastRoundAt?: string;
}

export class BinlogArchiver {
  private stopped = false;
  private running?: Promise<void>;
  private segments?: Segment[];
  /** The last head written (or found at start): files wholly behind it are archived already. */
  private head?: Head;
  /** Closed files already handled, by server, name and size. */
  private readonly handled = new Set<string>();
  private current: ArchiveStatus = { continuous: true, segments: 0 };
  private wake?: () => void;

  constructor(
    private readonly store: Store,
    private readonly cluster: string,
    private readonly intervalSeconds: number,
    private readonly source: () => ArchiveSource | undefined,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= (async () => {
      while (!this.stopped) {
        const served = this.source()?.serverId;
        await this.round();
        // A new primary is archived at once: its first files close the failover's gap.
        const next = Date.now() + this.intervalSeconds * 1000;
        while (!this.stopped && Date.now() < next && this.source()?.serverId === served) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(1000, next - Date.now()));
            this.wake = () => (clearTimeout(timer), resolve());
          });
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  status(): ArchiveStatus {
    return this.current;
  }

  async round(): Promise<void> {
    const src = this.source();
    if (!src) return;
    try {
      if (!this.segments) {
        this.segments = await listSegments(this.store, this.cluster);
        this.head = await readHead(this.store, this.cluster);
      }
      const known = new Set(this.segments.map((s) => s.key));
      const files = await withSession(src.endpoint, src.creds, async (s) => {
        const before = await s.query<{ Log_name: string; File_size: string }>('SHOW BINARY LOGS');
        const newest = before[before.length - 1];
        // Rotate only when the open file holds transactions: an idle primary adds no files.
        if (newest && readBinlogFacts(join(src.datadir, newest.Log_name)).transactions > 0) await s.query('FLUSH BINARY LOGS');
        return s.query<{ Log_name: string; File_size: string }>('SHOW BINARY LOGS');
      }, { deadlineMs: 30_000 });
      const closed = files.slice(0, -1);
      let newestClosedAt = 0;
      for (const f of closed) {
        const id = `${src.serverId}/${f.Log_name}/${f.File_size}`;
        if (this.handled.has(id)) continue;
        const path = join(src.datadir, f.Log_name);
        const facts = readBinlogFacts(path);
        if (facts.transactions > 0 && facts.closedAt !== undefined && !behindHead(facts, this.head)) {
          const key = segmentKey(this.cluster, src.serverId, f.Log_name, facts);
          if (!known.has(key)) {
            const stored = await this.upload(path, key);
            const record = segmentRecord(this.cluster, src.serverId, f.Log_name, facts, stored);
            await this.store.putText(key.replace(/\.zst$/, SEGMENT_RECORD), `${JSON.stringify(record, null, 2)}\n`);
            this.segments.push(record);
            known.add(key);
            this.log.info({ file: f.Log_name, first: record.first, last: record.last }, 'archived a binary log');
          }
        }
        newestClosedAt = Math.max(newestClosedAt, facts.closedAt ?? 0);
        this.handled.add(id);
      }
      const head = this.headOf(src, files[files.length - 1]?.Log_name, newestClosedAt);
      if (head) {
        await this.store.putText(headKey(this.cluster), `${JSON.stringify(head)}\n`);
        this.head = head;
      }
      this.current = { ...archiveStatus(this.segments, head), lastRoundAt: new Date().toISOString() };
    } catch (err) {
      this.current = { ...this.current, error: (err as Error).message, lastRoundAt: new Date().toISOString() };
      this.log.warn({ err: (err as Error).message }, 'archiving binary logs failed; retrying next round');
    }
  }

  /**
   * Everything before the open file is archived, so the archive is complete through the
   * state the open file starts from: until its rotation, or until now when it holds no
   * transaction yet.
   */
  private headOf(src: ArchiveSource, openFile: string | undefined, newestClosedAt: number): Head | undefined {
    if (!openFile) return undefined;
    const readAt = Math.floor(Date.now() / 1000);
    const open = readBinlogFacts(join(src.datadir, openFile));
    // The state lists the last transaction of every server that wrote to the domain: the highest is the end.
    const last = open.startState.filter((g) => g.domain === 0).sort((a, b) => b.seq - a.seq)[0];
    const at = open.transactions === 0 ? readAt : newestClosedAt || readAt;
    return { serverId: src.serverId, seq: last?.seq ?? 0, last: last ? formatGtids([last]) : undefined, at: new Date(at * 1000).toISOString() };
  }

  private async upload(path: string, key: string): Promise<{ key: string; bytes: number; sha256: string }> {
    const zstd = compressor('pipe');
    createReadStream(path).pipe(zstd.process.stdin!);
    const measure = new Measure();
    await Promise.all([this.store.put(key, zstd.process.stdout!.pipe(measure)), zstd.done]);
    return { key, bytes: measure.bytes, sha256: measure.sha256() };
  }
}

/**
 * A file the archive holds already: it ends before the head, or with the head's own last
 * transaction. A new primary's older files (what it replicated) and files pruned with old
 * backups are not uploaded again; a file that ends at the head's sequence number with another
 * server's transaction is the other side of a failover, and is archived.
 */
export function behindHead(facts: BinlogFacts, head: Head | undefined): boolean {
  if (!head || !facts.last) return false;
  return facts.last.seq < head.seq || (facts.last.seq === head.seq && formatGtids([facts.last]) === head.last);
}

/** The archive's state for status: continuity and the last recoverable time. */
export function archiveStatus(segments: Segment[], head?: Head): ArchiveStatus {
  if (segments.length === 0) return { continuous: true, segments: 0, lastRecoverableTime: head?.at };
  const start = Math.min(...segments.map((s) => s.firstSeq)) - 1;
  const chain = chainFrom(timeline(segments), start, head);
  return { continuous: chain.gap === undefined, segments: segments.length, lastRecoverableTime: chain.recoverableUntil };
}
