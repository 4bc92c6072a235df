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
  /** A connection of the operator account straight to one instance, kept by the caller. */
  instanceConnection(ordinal: number): Promise<mysql.Connection>;
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
  /** Per writer, the longest time between two acknowledged writes: counts a write that hung and then succeeded, which outagesMs (after a failure only) does not. */
  private readonly longestGap = new Map<number, number>();
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

  /** One number per writer: its longest wait between acknowledged writes (the outage a client saw). */
  longestGapsMs(): number[] {
    return [...this.longestGap.values()];
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
        const now = Date.now();
        if (failed) this.outagesMs.push(now - lastOk);
        this.longestGap.set(id, Math.max(this.longestGap.get(id) ?? 0, now - lastOk));
        failed = false;
        lastOk = now;
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
 * Samples every instance directly, a round every SAMPLE_EVERY_MS (start to start), and
 * records any moment at which more than one instance answered and was writable. Each
 * instance keeps its connection, so a round costs one query per instance, not a login. An
 * answer later than SAMPLE_WINDOW_MS is not part of the moment (a frozen instance answers
 * seconds late, after the world changed): a round takes what came within the window.
 */
export class WritableWatch {
  private stopped = false;
  private run?: Promise<void>;
  private readonly conns = new Map<number, mysql.Connection>();
  /** Instances with a question still out. */
  private readonly asking = new Set<number>();
  readonly violations: string[] = [];
  samples = 0;
  inconclusive = 0;
  /** The longest time between the starts of two rounds (a busy machine stretches it). */
  maxGapMs = 0;
  static readonly SAMPLE_EVERY_MS = 50;
  static readonly SAMPLE_WINDOW_MS = 250;

  constructor(private readonly sb: WriteTarget, private readonly ordinals: number[]) {}

  start(): this {
    this.sb.background.add(this);
    this.run = (async () => {
      let previous: number | undefined;
      while (!this.stopped) {
        const started = Date.now();
        if (previous !== undefined) this.maxGapMs = Math.max(this.maxGapMs, started - previous);
        previous = started;
        const w = (await Promise.all(this.ordinals.map((o) => this.answerWithin(o, WritableWatch.SAMPLE_WINDOW_MS)))).filter((x) => x !== undefined);
        this.samples += 1;
        if (w.length > 1) {
          if (Math.max(...w.map((x) => x.at)) - started <= WritableWatch.SAMPLE_WINDOW_MS) {
            this.violations.push(`${new Date(started).toISOString()}: writable ${w.map((x) => x.o).join(', ')}`);
          } else this.inconclusive += 1;
        }
        await sleep(Math.max(0, started + WritableWatch.SAMPLE_EVERY_MS - Date.now()));
      }
      for (const c of this.conns.values()) c.destroy();
    })();
    return this;
  }

  /**
   * An instance that does not answer within the window is no answer this round, and is not
   * asked again until its question returns: a frozen one must not hold up the others' samples.
   */
  private answerWithin(o: number, windowMs: number): Promise<{ o: number; at: number } | undefined> {
    if (this.asking.has(o)) return Promise.resolve(undefined);
    this.asking.add(o);
    const answer = this.writableAt(o).finally(() => this.asking.delete(o));
    return Promise.race([answer, sleep(windowMs).then(() => undefined)]);
  }

  /** When instance `o` answered that it is writable; undefined when it is not or did not answer. */
  private async writableAt(o: number): Promise<{ o: number; at: number } | undefined> {
    try {
      let c = this.conns.get(o);
      if (!c) {
        c = await this.sb.instanceConnection(o);
        c.on('error', () => {});
        this.conns.set(o, c);
      }
      const [rows] = await c.query({ sql: 'SELECT @@read_only AS ro', timeout: 5000 });
      return Number((rows as Array<{ ro: number }>)[0].ro) === 0 ? { o, at: Date.now() } : undefined;
    } catch {
      this.conns.get(o)?.destroy();
      this.conns.delete(o);
      return undefined;
    }
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
