// Readers check what clients read against what was acknowledged: a transfer acknowledged
// before a read started must be visible to that read through the read-write endpoint (a
// miss is a stale read, which the read-write endpoint must never serve). Through the
// read-only endpoint replicas may lag, which the docs allow: those misses are counted apart.
import type mysql from 'mysql2/promise';
import { sleep } from '../integration/harness.js';
import type { Bank } from './bank.js';

export class Readers {
  private stopped = false;
  private runs: Promise<void>[] = [];
  /** Reads through the read-write endpoint that missed an acknowledged transfer. */
  readonly stale: string[] = [];
  /** The same through the read-only endpoint (allowed: replica reads may lag). */
  replicaLagMisses = 0;
  reads = 0;

  constructor(
    private readonly bank: Bank,
    private readonly connect: (endpoint: 'readWrite' | 'readOnly') => Promise<mysql.Connection>,
    private readonly background: Set<{ stop(): Promise<unknown> }>,
  ) {}

  start(): this {
    this.background.add(this);
    this.runs.push(this.reader('readWrite'), this.reader('readOnly'));
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.background.delete(this);
    await Promise.all(this.runs);
  }

  private async reader(endpoint: 'readWrite' | 'readOnly'): Promise<void> {
    let conn: mysql.Connection | undefined;
    while (!this.stopped) {
      const id = this.bank.lastAcked;
      if (!id) {
        await sleep(50);
        continue;
      }
      try {
        if (!conn) {
          conn = await this.connect(endpoint);
          conn.on('error', () => {});
        }
        const [rows] = await conn.query({ sql: 'SELECT COUNT(*) AS n FROM ledger WHERE id = ?', values: [id], timeout: 5000 });
        this.reads += 1;
        if (Number((rows as any[])[0].n) === 0) {
          if (endpoint === 'readWrite') this.stale.push(`${new Date().toISOString()}: ${id} acknowledged but not read`);
          else this.replicaLagMisses += 1;
        }
        await sleep(20);
      } catch {
        conn?.destroy();
        conn = undefined;
        await sleep(50);
      }
    }
    conn?.destroy();
  }
}
