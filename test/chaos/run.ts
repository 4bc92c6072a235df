// The chaos run: a sandbox cluster under three workloads (unique-id inserts, bank transfers,
// reads through both endpoints checked against what was acknowledged), a writable-instance
// watch, and the faults of faults.ts injected one after another. After each fault, with the
// cluster whole again, everything acknowledged is checked on the primary, and the fault's
// figures are added to its kind's row.
import { percentile, verifyWrites, WritableWatch, Writers } from '../integration/writers.js';
import { Sandbox, sleep } from '../integration/harness.js';
import { Bank, checkBank, ACCOUNTS, OPENING } from './bank.js';
import { FAULTS, inject, whole, WINDOW_S, type FaultKind } from './faults.js';
import { Readers } from './readers.js';

export interface FaultRow {
  kind: FaultKind;
  injected: number;
  acknowledged: number;
  unknown: number;
  lost: number;
  phantom: number;
  staleReads: number;
  twoWritable: number;
  /** Per injection: the longest client-seen outage (first failed write to first good write). */
  recoveryMs: number[];
}

export interface ChaosResult {
  rows: FaultRow[];
  failovers: number;
  recoveries: number;
  fullCrashes: number;
  acknowledged: number;
  broken: string[];
  replicaLagMisses: number;
  reads: number;
  samples: number;
  /** Samples with two writable answers too far apart in time to be one moment (a frozen instance). */
  inconclusive: number;
  /** The longest time between two writable samples (the watch aims at one every 50 ms). */
  sampleGapMs: number;
}

export interface ChaosOptions {
  /** Stop starting new faults after this long (ms); at least `rounds` rounds run. */
  durationMs?: number;
  rounds?: number;
  faults?: FaultKind[];
  basePort?: number;
  log?: (line: string) => void;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => {});
  const faults = opts.faults ?? FAULTS;
  const sb = new Sandbox('chaos', opts.basePort ?? 15100, { failover: { detectionWindowSeconds: WINDOW_S } });
  const rows = new Map<FaultKind, FaultRow>(faults.map((k) => [k, { kind: k, injected: 0, acknowledged: 0, unknown: 0, lost: 0, phantom: 0, staleReads: 0, twoWritable: 0, recoveryMs: [] }]));
  const broken: string[] = [];
  let fullCrashes = 0;
  try {
    await sb.up(3);
    await Writers.prepare(sb);
    await Bank.prepare(sb);
    const inserts = new Writers(sb, 3).start();
    const bank = new Bank(sb, 3).start();
    const readers = new Readers(bank, (e) => sb.app(e === 'readWrite' ? sb.readWritePort : sb.readOnlyPort), sb.background).start();
    const watch = new WritableWatch(sb, [0, 1, 2]).start();
    await sleep(2000);

    const started = Date.now();
    const seenLost = new Set<string>();
    const seenPhantom = new Set<string>();
    for (let round = 1; ; round++) {
      if (round > (opts.rounds ?? 1) && Date.now() - started >= (opts.durationMs ?? 0)) break;
      for (const kind of faults) {
        const row = rows.get(kind)!;
        const at = Date.now();
        const mark = { acked: inserts.acked.size + bank.acked.size, attemptedInserts: inserts.attempted.size, attemptedTransfers: bank.attempted.size, stale: readers.stale.length, two: watch.violations.length, outI: inserts.outagesMs.length, outB: bank.outages.length };
        log(`round ${round}: ${kind}`);
        await inject(sb, kind, (line) => log(`  ${line}`));
        if (kind === 'full-crash') fullCrashes += 1;
        await sleep(1000); // let every client get a write through
        const s = await whole(sb);
        const primary = s.primary!;
        // Acknowledged before the check reads (a copy: clients go on meanwhile); attempted
        // as of after it (live: a row the check sees was attempted before it finished).
        const ackedInserts = new Set(inserts.acked);
        const ackedTransfers = new Set(bank.acked);
        const vi = await verifyWrites(sb, primary, { acked: ackedInserts, attempted: inserts.attempted, outagesMs: [], errors: 0 });
        const vb = await checkBank(sb, primary, { acked: ackedTransfers, attempted: bank.attempted, outages: [] });
        const lost = [...vi.lost, ...vb.lost].filter((k) => !seenLost.has(k));
        const phantom = [...vi.phantom, ...vb.phantom].filter((k) => !seenPhantom.has(k));
        lost.forEach((k) => seenLost.add(k));
        phantom.forEach((k) => seenPhantom.add(k));
        if (vb.total !== ACCOUNTS * OPENING) broken.push(`${kind} round ${round}: bank total ${vb.total}, expected ${ACCOUNTS * OPENING}`);
        if (vb.mismatched.length) broken.push(`${kind} round ${round}: balances disagree with the ledger on accounts ${vb.mismatched.join(', ')}`);
        const acked = inserts.acked.size + bank.acked.size - mark.acked;
        row.injected += 1;
        row.acknowledged += acked;
        row.unknown += unacknowledgedSince(inserts.attempted, inserts.acked, mark.attemptedInserts) + unacknowledgedSince(bank.attempted, bank.acked, mark.attemptedTransfers);
        row.lost += lost.length;
        row.phantom += phantom.length;
        row.staleReads += readers.stale.length - mark.stale;
        row.twoWritable += watch.violations.length - mark.two;
        const outages = [...inserts.outagesMs.slice(mark.outI), ...bank.outages.slice(mark.outB).map((o) => o.ms)];
        row.recoveryMs.push(outages.length ? Math.max(...outages) : 0);
        log(`  primary ${primary}, ${((Date.now() - at) / 1000).toFixed(1)} s, acknowledged ${acked}, lost ${lost.length}, phantom ${phantom.length}, outage ${row.recoveryMs.at(-1)} ms${lost.length ? ` LOST ${lost.slice(0, 5).join(' ')}` : ''}`);
        if (lost.length || phantom.length) log(sb.supervisorLogTail(60));
      }
    }
    const final = await sb.status();
    await Promise.all([inserts.stop(), bank.stop(), readers.stop(), watch.stop()]);
    return {
      rows: [...rows.values()],
      failovers: final.failovers,
      recoveries: final.recoveries,
      fullCrashes,
      acknowledged: inserts.acked.size + bank.acked.size,
      broken: [...broken, ...readers.stale.slice(0, 5), ...watch.violations.slice(0, 5)],
      replicaLagMisses: readers.replicaLagMisses,
      reads: readers.reads,
      samples: watch.samples,
      inconclusive: watch.inconclusive,
      sampleGapMs: watch.maxGapMs,
    };
  } catch (err) {
    log(`chaos run failed: ${(err as Error).message}\n${sb.supervisorLogTail(80)}\n${sb.errorLogTails(20)}`);
    throw err;
  } finally {
    await sb.down();
  }
}

/**
 * Writes attempted since the `from`-th attempt whose COMMIT never answered OK: their outcome
 * is unknown to the client (either is allowed). Includes at most one in flight per client.
 */
function unacknowledgedSince(attempted: Set<string>, acked: Set<string>, from: number): number {
  let n = 0;
  let i = 0;
  for (const k of attempted) if (i++ >= from && !acked.has(k)) n += 1;
  return n;
}

/** The table the run prints and docs/benchmarks.md records. */
export function formatChaos(r: ChaosResult): string {
  const head = ['fault', 'n', 'acknowledged', 'unknown', 'lost', 'phantom', 'stale reads', 'two writable', 'recovery p50', 'recovery p99'];
  const lines = r.rows.map((x) => [x.kind, x.injected, x.acknowledged, x.unknown, x.lost, x.phantom, x.staleReads, x.twoWritable, secs(percentile(x.recoveryMs, 50)), secs(percentile(x.recoveryMs, 99))].map(String));
  const sum = (f: (x: FaultRow) => number) => String(r.rows.reduce((s, x) => s + f(x), 0));
  lines.push(['total', sum((x) => x.injected), sum((x) => x.acknowledged), sum((x) => x.unknown), sum((x) => x.lost), sum((x) => x.phantom), sum((x) => x.staleReads), sum((x) => x.twoWritable), '', '']);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    fmt(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(fmt),
    '',
    `failovers ${r.failovers} (+ ${r.recoveries} in-place recoveries), full crashes ${r.fullCrashes}, acknowledged writes ${r.acknowledged}, ` +
      `reads ${r.reads} (replica-lag misses through the read-only endpoint ${r.replicaLagMisses}, allowed), writable samples ${r.samples} ` +
      `(every ${WritableWatch.SAMPLE_EVERY_MS} ms, longest gap ${r.sampleGapMs} ms; ${r.inconclusive} with answers more than ${WritableWatch.SAMPLE_WINDOW_MS} ms apart, not counted)`,
    r.broken.length ? `BROKEN:\n${r.broken.join('\n')}` : 'invariants: bank total and balances intact',
  ].join('\n');
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
