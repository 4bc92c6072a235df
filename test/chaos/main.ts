// `npm run chaos -- [--minutes M] [--rounds N] [--faults a,b]`: the chaos run, printed as
// the table docs/benchmarks.md records. Exits 1 if anything was lost, phantom, stale or
// writable twice.
import { parseArgs } from 'node:util';
import { FAULTS, type FaultKind } from './faults.js';
import { formatChaos, runChaos } from './run.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '0' }, rounds: { type: 'string', default: '1' }, faults: { type: 'string' } } });
const faults = values.faults ? (values.faults.split(',') as FaultKind[]) : FAULTS;
for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`--faults: unknown fault "${f}" (known: ${FAULTS.join(', ')})`);
const started = Date.now();
const result = await runChaos({
  durationMs: Number(values.minutes) * 60_000,
  rounds: Number(values.rounds),
  faults,
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`),
});
console.log(`\n${formatChaos(result)}\nduration ${((Date.now() - started) / 60_000).toFixed(1)} min`);
const bad = result.rows.some((r) => r.lost || r.phantom || r.staleReads || r.twoWritable) || result.broken.length > 0;
process.exit(bad ? 1 : 0);
