// npm run bench:failover [-- N]: N failovers (SIGKILL of the primary's mariadbd) under
// write load through the read-write endpoint. Prints the client-seen recovery time (first
// failed write to first good write, per writer) p50/p99 and the lost-write count.
import { cpus, totalmem } from 'node:os';
import { Sandbox, sleep } from '../test/integration/harness.js';
import { percentile, verifyWrites, Writers } from '../test/integration/writers.js';

const rounds = Number(process.argv[2] ?? 10);
const sb = new Sandbox('benchfo', 15100, { failover: { minIntervalSeconds: 0 } });
const outages: number[] = [];
let lost = 0;
let phantom = 0;
let acked = 0;
try {
  await sb.up(3);
  await Writers.prepare(sb);
  for (let i = 1; i <= rounds; i++) {
    await sb.waitFor('healthy', sb.healthy(3), 120_000);
    const writers = new Writers(sb, 4).start();
    await sleep(2000);
    const old = await sb.primary();
    process.kill(old.pid, 'SIGKILL');
    await sb.waitFor('recovered', (s) => s.primary !== old.ordinal && sb.healthy(3)(s), 120_000);
    await sleep(1500);
    const report = await writers.stop();
    const s = await sb.status();
    const v = await verifyWrites(sb, s.primary!, report);
    const gaps = writers.longestGapsMs();
    outages.push(...gaps);
    lost += v.lost.length;
    phantom += v.phantom.length;
    acked += report.acked.size;
    console.log(`round ${i}: primary ${old.ordinal} -> ${s.primary}, longest wait per writer ms [${gaps.join(', ')}], lost ${v.lost.length}`);
  }
} finally {
  await sb.down();
}
console.log(`\nbench:failover on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}`);
console.log(`failovers: ${rounds}, acknowledged writes: ${acked}, client outages measured: ${outages.length} (each writer's longest wait between acknowledged writes)`);
console.log(`recovery p50: ${(percentile(outages, 50) / 1000).toFixed(3)} s  p99: ${(percentile(outages, 99) / 1000).toFixed(3)} s  max: ${(Math.max(...outages) / 1000).toFixed(3)} s`);
console.log(`lost acknowledged writes: ${lost}  phantom rows: ${phantom}`);
