// The short form of `npm run chaos`: one round of every fault under load. Nothing
// acknowledged is lost, nothing appears that was never written, no read through the
// read-write endpoint misses an acknowledged write, never two writable instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatChaos, runChaos } from './run.js';

test('chaos: one round of every fault of the reliability matrix', async () => {
  // Its own port block, so that a long `npm run chaos` can run beside the test suite.
  const r = await runChaos({ rounds: 1, basePort: 15300, log: (line) => console.log(line) });
  console.log(formatChaos(r));
  for (const row of r.rows) {
    assert.equal(row.injected, 1, `${row.kind} ran`);
    assert.ok(row.acknowledged > 0, `${row.kind}: writes went on (${row.acknowledged})`);
    assert.equal(row.lost, 0, `${row.kind}: acknowledged writes lost`);
    assert.equal(row.phantom, 0, `${row.kind}: phantom rows`);
    assert.equal(row.staleReads, 0, `${row.kind}: stale reads through the read-write endpoint`);
    assert.equal(row.twoWritable, 0, `${row.kind}: two writable instances`);
  }
  assert.deepEqual(r.broken, [], 'bank invariants');
  assert.ok(r.reads > 100 && r.samples > 100, 'the readers and the watch really ran');
});
