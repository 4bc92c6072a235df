// Writers that learn the GTID of every acknowledged write (@@last_gtid of their session), so a
// restored copy can be checked row by row: it must hold exactly the writes at or below its
// GTID position, none above.
import type mysql from 'mysql2/promise';
import { sleep } from './harness.js';
import type { WriteTarget } from './writers.js';

export interface Stamp {
  /** The sequence number of the write's GTID (domain 0). */
  seq: number;
  /** When the client sent it, and when it saw the acknowledgement. */
  sentAt: number;
  ackedAt: number;
}

export class StampedWriters {
  private stopped = false;
  private runs: Promise<void>[] = [];
  readonly acked = new Map<string, Stamp>();
  /** Every write sent, with when: one that failed may still have committed. */
  readonly sent = new Map<string, number>();
  errors = 0;

  constructor(private readonly sb: WriteTarget, private readonly count = 2) {}

  static async prepare(sb: WriteTarget): Promise<void> {
    const c = await sb.app();
    await c.query('CREATE TABLE IF NOT EXISTS stamped (writer INT NOT NULL, seq INT NOT NULL, body VARCHAR(200) NOT NULL, PRIMARY KEY (writer, seq)) ENGINE=InnoDB');
    c.destroy();
  }

  start(): this {
    this.sb.background.add(this);
    for (let w = 0; w < this.count; w++) this.runs.push(this.writer(w));
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sb.background.delete(this);
    await Promise.all(this.runs);
  }

  /** Sent but never acknowledged: a copy may hold them or not. */
  unacknowledged(): Set<string> {
    return new Set([...this.sent.keys()].filter((k) => !this.acked.has(k)));
  }

  /** The writes a copy at GTID sequence `upTo` (domain 0) must hold, as "writer:seq" keys. */
  expectedAt(upTo: number): Set<string> {
    return new Set([...this.acked].filter(([, s]) => s.seq <= upTo).map(([k]) => k));
  }

  /** A copy restored to `point` (ms): writes acknowledged before it but absent, and writes present though sent at or after it. */
  diffAtTime(keys: Set<string>, point: number): { lost: string[]; late: string[] } {
    const lost = [...this.acked].filter(([k, st]) => st.ackedAt < point && !keys.has(k)).map(([k]) => k);
    const late = [...keys].filter((k) => (this.sent.get(k) ?? 0) >= point);
    return { lost, late };
  }

  /** A copy at sequence `upTo`: writes it must hold but lacks, and writes it holds that were neither acknowledged at or below it nor possibly committed. */
  diffAtSeq(keys: Set<string>, upTo: number): { missing: string[]; extra: string[] } {
    const expected = this.expectedAt(upTo);
    const maybe = this.unacknowledged();
    return { missing: [...expected].filter((k) => !keys.has(k)), extra: [...keys].filter((k) => !expected.has(k) && !maybe.has(k)) };
  }

  private async writer(id: number): Promise<void> {
    let conn: mysql.Connection | undefined;
    let seq = 0;
    while (!this.stopped) {
      try {
        if (!conn) {
          conn = await this.sb.app();
          conn.on('error', () => {}); // once per connection: a dead one is replaced below
        }
        seq += 1;
        const sentAt = Date.now();
        this.sent.set(`${id}:${seq}`, sentAt);
        await conn.query({ sql: 'INSERT INTO stamped (writer, seq, body) VALUES (?, ?, REPEAT(MD5(RAND()), 6))', values: [id, seq], timeout: 15_000 });
        const [rows] = await conn.query({ sql: 'SELECT @@last_gtid AS g', rowsAsArray: false });
        const g = String((rows as Array<{ g: string }>)[0].g);
        this.acked.set(`${id}:${seq}`, { seq: Number(g.split('-')[2]), sentAt, ackedAt: Date.now() });
      } catch {
        this.errors += 1;
        conn?.destroy();
        conn = undefined;
        await sleep(50);
      }
    }
    conn?.destroy();
  }
}

/** The sequence number of domain 0 in a GTID position such as "0-1-42". */
export function seqOf(position: string): number {
  const g = position.split(',').find((x) => x.startsWith('0-'));
  return g ? Number(g.split('-')[2]) : 0;
}
