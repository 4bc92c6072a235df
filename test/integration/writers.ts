// Clients that write through the read-write endpoint and remember exactly which writes
// were acknowledged (COMMIT returned OK), which were attempted, and how long each outage
// looked from the client's side: from the last good write before a failure to the first
// good write after it (a write that hangs before it fails counts too).
import mysql from 'mysql2/promise';
import { sleep } from './harness.js';

/** A cluster to write to: the sandbox, or a Kubernetes cluster in the e2e suite. */
export interface WriteTarget {
  /** The application account through the read-write endpoint. */
  app(): Promise<mysql.Connection>;
  /** The operator account straight to one instance. */
  instanceQuery<T = any>(ordinal: number, sql: string, params?: unknown[]): Promise<T[]>;
  background: Set<{ stop(): Promise<unknown> }>;
}

export interface WriterReport {
  acked: Set<string>;
  attempted: Set<string>;
  outagesMs: number[];
  errors: number;
}

export class Writers {
  private stopped = false;
  private runs: Promise<void>[] = [];
  readonly acked = new Set<string>();
  readonly attempted = new Set<string>();
  readonly outagesMs: number[] = [];
  errors = 0;
  lastError = '';

  /** Writer ids are unique per process, so rows of an earlier scenario never look like phantoms. */
  private static nextId = 0;
  private readonly firstId = Writers.nextId;

  constructor(private readonly sb: WriteTarget, private readonly count = 4) {
    Writers.nextId += count;
  }

  static async prepare(sb: WriteTarget): Promise<void> {
    const c = await sb.app();
    await c.query('CREATE TABLE IF NOT EXISTS writes (writer INT NOT NULL, seq INT NOT NULL, at DATETIME(6) NOT NULL DEFAULT NOW(6), PRIMARY KEY (writer, seq)) ENGINE=InnoDB');
    c.destroy();
  }

  start(): this {
    this.sb.background.add(this);
    for (let w = 0; w < this.count; w++) this.runs.push(this.writer(this.firstId + w));
    return this;
  }

  async stop(): Promise<WriterReport> {
    this.stopped = true;
    this.sb.background.delete(this);
    await Promise.all(this.runs);
    return { acked: this.acked, attempted: this.attempted, outagesMs: this.outagesMs, errors: this.errors };
  }

  private async writer(id: number): Promise<void> {
    let conn: mysql.Connection | undefined;
    let seq = 0;
    let failed = false;
    let lastOk = Date.now();
    while (!this.stopped) {
      try {
        if (!conn) {
          conn = await this.sb.app();
          conn.on('error', () => {});
        }
        seq += 1;
        const key = `${id}:${seq}`;
        this.attempted.add(key);
        await conn.query({ sql: 'INSERT INTO writes (writer, seq) VALUES (?, ?)', values: [id, seq], timeout: 15_000 });
        this.acked.add(key);
        if (failed) this.outagesMs.push(Date.now() - lastOk);
        failed = false;
        lastOk = Date.now();
      } catch (err) {
        this.errors += 1;
        this.lastError = (err as Error).message;
        failed = true;
        conn?.destroy();
        conn = undefined;
        await sleep(50);
      }
    }
    conn?.destroy();
  }
}

/** Every acknowledged write is there, and nothing is there that was never attempted. */
export async function verifyWrites(sb: WriteTarget, ordinal: number, report: WriterReport): Promise<{ lost: string[]; phantom: string[]; rows: number }> {
  const writers = [...new Set([...report.attempted].map((k) => Number(k.split(':')[0])))];
  if (writers.length === 0) return { lost: [], phantom: [], rows: 0 };
  const rows = await sb.instanceQuery<{ writer: number; seq: number }>(ordinal, 'SELECT writer, seq FROM app.writes WHERE writer IN (?)', [writers]);
  const present = new Set(rows.map((r) => `${r.writer}:${r.seq}`));
  const lost = [...report.acked].filter((k) => !present.has(k));
  const phantom = [...present].filter((k) => !report.attempted.has(k));
  return { lost, phantom, rows: rows.length };
}

/**
 * Samples every instance directly, every 100 ms, and records any moment at which more
 * than one instance answered and was writable. A sample whose answers took longer than
 * SAMPLE_WINDOW_MS is not a moment (a frozen instance answers seconds late, after the world
 * changed) and is counted apart as inconclusive.
 */
export class WritableWatch {
  private stopped = false;
  private run?: Promise<void>;
  readonly violations: string[] = [];
  samples = 0;
  inconclusive = 0;
  static readonly SAMPLE_WINDOW_MS = 250;

  constructor(private readonly sb: WriteTarget, private readonly ordinals: number[]) {}

  start(): this {
    this.sb.background.add(this);
    this.run = (async () => {
      while (!this.stopped) {
        const started = Date.now();
        const writable = await Promise.all(
          this.ordinals.map(async (o) => {
            try {
              const [r] = await this.sb.instanceQuery<{ ro: number }>(o, 'SELECT @@read_only AS ro');
              return Number(r.ro) === 0 ? { o, at: Date.now() } : undefined;
            } catch {
              return undefined;
            }
          }),
        );
        const w = writable.filter((x) => x !== undefined);
        this.samples += 1;
        if (w.length > 1) {
          if (Math.max(...w.map((x) => x.at)) - started <= WritableWatch.SAMPLE_WINDOW_MS) {
            this.violations.push(`${new Date(started).toISOString()}: writable ${w.map((x) => x.o).join(', ')}`);
          } else this.inconclusive += 1;
        }
        await sleep(100);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sb.background.delete(this);
    await this.run;
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
