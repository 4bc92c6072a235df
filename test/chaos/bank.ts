// The bank workload: accounts with a fixed total, and transfers that move money and write a
// ledger row with a unique id in one transaction. After any fault: the total is unchanged,
// every account's balance is its opening balance plus its ledger, every acknowledged
// transfer is in the ledger, and no ledger row exists that was never attempted.
import type mysql from 'mysql2/promise';
import { sleep } from '../integration/harness.js';
import type { WriteTarget } from '../integration/writers.js';

export const ACCOUNTS = 20;
export const OPENING = 1000;

export interface BankReport {
  acked: Set<string>;
  attempted: Set<string>;
  outages: Array<{ at: number; ms: number }>;
}

export class Bank {
  private stopped = false;
  private runs: Promise<void>[] = [];
  readonly acked = new Set<string>();
  readonly attempted = new Set<string>();
  readonly outages: Array<{ at: number; ms: number }> = [];
  /** The latest acknowledged transfer: what a read starting now must see. */
  lastAcked?: string;
  /** Transfers refused with a deadlock (Galera: a certification conflict with a write on another node); the client retries. */
  conflicts = 0;
  errors = 0;
  private static next = 0;

  constructor(private readonly target: WriteTarget, private readonly clients = 3) {}

  static async prepare(target: WriteTarget): Promise<void> {
    const c = await target.app();
    await c.query('CREATE TABLE IF NOT EXISTS accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB');
    await c.query('CREATE TABLE IF NOT EXISTS ledger (id VARCHAR(40) PRIMARY KEY, src INT NOT NULL, dst INT NOT NULL, amount INT NOT NULL) ENGINE=InnoDB');
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM accounts');
    if (Number((rows as any[])[0].n) === 0) {
      const values = Array.from({ length: ACCOUNTS }, (_, i) => [i, OPENING]);
      await c.query('INSERT INTO accounts (id, balance) VALUES ?', [values]);
    }
    c.destroy();
  }

  start(): this {
    this.target.background.add(this);
    for (let i = 0; i < this.clients; i++) this.runs.push(this.client());
    return this;
  }

  async stop(): Promise<BankReport> {
    this.stopped = true;
    this.target.background.delete(this);
    await Promise.all(this.runs);
    return { acked: this.acked, attempted: this.attempted, outages: this.outages };
  }

  private async client(): Promise<void> {
    let conn: mysql.Connection | undefined;
    let failed = false;
    let lastOk = Date.now();
    while (!this.stopped) {
      const id = `t${process.pid}-${Bank.next++}`;
      const src = Math.floor(Math.random() * ACCOUNTS);
      const dst = (src + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
      const amount = 1 + Math.floor(Math.random() * 50);
      try {
        if (!conn) {
          conn = await this.target.app();
          conn.on('error', () => {});
        }
        await conn.query({ sql: 'START TRANSACTION', timeout: 15_000 });
        // Lock in id order so two transfers never deadlock each other.
        await conn.query({ sql: 'SELECT id FROM accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE', values: [src, dst], timeout: 15_000 });
        await conn.query({ sql: 'UPDATE accounts SET balance = balance - ? WHERE id = ?', values: [amount, src], timeout: 15_000 });
        await conn.query({ sql: 'UPDATE accounts SET balance = balance + ? WHERE id = ?', values: [amount, dst], timeout: 15_000 });
        await conn.query({ sql: 'INSERT INTO ledger (id, src, dst, amount) VALUES (?, ?, ?, ?)', values: [id, src, dst, amount], timeout: 15_000 });
        this.attempted.add(id); // from here on, the outcome of COMMIT is what counts
        await conn.query({ sql: 'COMMIT', timeout: 15_000 });
        this.acked.add(id);
        this.lastAcked = id;
        if (failed) this.outages.push({ at: lastOk, ms: Date.now() - lastOk });
        failed = false;
        lastOk = Date.now();
      } catch (err) {
        if ((err as { errno?: number }).errno === 1213) {
          // A conflict leaves the connection usable: roll back and retry with a new transfer.
          this.conflicts += 1;
          await conn?.query('ROLLBACK').catch(() => undefined);
          continue;
        }
        this.errors += 1;
        failed = true;
        conn?.destroy();
        conn = undefined;
        await sleep(50);
      }
    }
    conn?.destroy();
  }
}

export interface BankCheck {
  lost: string[];
  phantom: string[];
  total: number;
  /** Accounts whose balance is not the opening balance plus their ledger. */
  mismatched: number[];
  rows: number;
}

/** Reads one instance directly (the operator account) and checks every invariant. */
export async function checkBank(target: WriteTarget, ordinal: number, report: BankReport): Promise<BankCheck> {
  // One statement is one consistent snapshot: balances and the ledger are compared as of
  // the same moment while transfers go on.
  const accounts = await target.instanceQuery<{ id: number; balance: number; net: number }>(ordinal,
    'SELECT a.id, a.balance, (SELECT COALESCE(SUM(IF(l.dst = a.id, l.amount, -l.amount)), 0) FROM app.ledger l WHERE l.src = a.id OR l.dst = a.id) AS net FROM app.accounts a');
  const ledger = await target.instanceQuery<{ id: string }>(ordinal, 'SELECT id FROM app.ledger');
  const present = new Set(ledger.map((t) => t.id));
  const ours = (id: string) => id.startsWith(`t${process.pid}-`);
  return {
    lost: [...report.acked].filter((id) => !present.has(id)),
    phantom: [...present].filter((id) => ours(id) && !report.attempted.has(id)),
    total: accounts.reduce((s, a) => s + Number(a.balance), 0),
    mismatched: accounts.filter((a) => Number(a.balance) !== OPENING + Number(a.net)).map((a) => Number(a.id)),
    rows: ledger.length,
  };
}
