// npm run bench:switchover [-- N]: N switchovers in a loop under write load. Prints the
// write pause seen by clients (first failed write to first good write) p50/p99, and losses.
import { cpus, totalmem } from 'node:os';
import { Sandbox, sleep } from '../test/integration/harness.js';
import { percentile, verifyWrites, Writers } from '../test/integration/writers.js';

const rounds = Number(process.argv[2] ?? 30);
const sb = new Sandbox('benchsw', 15200);
let lost = 0;
const pauses: number[] = [];
const commandSeconds: number[] = [];
try {
  await sb.up(3);
  await Writers.prepare(sb);
  const writers = new Writers(sb, 4).start();
  await sleep(1000);
  for (let i = 1; i <= rounds; i++) {
    const s = await sb.waitFor('healthy', sb.healthy(3), 60_000);
    const to = (s.primary! + 1) % 3;
    const before = writers.outagesMs.length;
    const started = Date.now();
    const r = await sb.cli(['local', 'switchover', sb.name, '--to', String(to)]);
    if (r.code !== 0) throw new Error(r.stderr);
    commandSeconds.push((Date.now() - started) / 1000);
    await sleep(700);
    // A switchover's pause is the longest any writer waited during it (0 if none noticed).
    const seen = writers.outagesMs.slice(before);
    pauses.push(seen.length ? Math.max(...seen) : 0);
  }
  const report = await writers.stop();
  const s = await sb.status();
  const v = await verifyWrites(sb, s.primary!, report);
  lost = v.lost.length + v.phantom.length;
  console.log(`acknowledged writes: ${report.acked.size}`);
} finally {
  await sb.down();
}
console.log(`\nbench:switchover on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}`);
console.log(`switchovers: ${rounds}`);
console.log(`write pause p50: ${(percentile(pauses, 50) / 1000).toFixed(3)} s  p99: ${(percentile(pauses, 99) / 1000).toFixed(3)} s  max: ${(Math.max(...pauses) / 1000).toFixed(3)} s`);
console.log(`switchover command p50: ${percentile(commandSeconds, 50).toFixed(3)} s`);
console.log(`lost or phantom writes: ${lost}`);
