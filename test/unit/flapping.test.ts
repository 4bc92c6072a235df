import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failoverHold, recoveredNow } from '../../src/clustering/flapping.js';
import type { ClusterState } from '../../src/clustering/types.js';
import { NOW, clusterState, policy } from './fixtures.js';

test('failoverHold', async (t) => {
  const cases: Array<{ name: string; state: Partial<ClusterState>; candidate?: number; interval?: number; want: RegExp | undefined }> = [
    { name: 'no failover yet', state: {}, want: undefined },
    { name: 'soon after a failover, not recovered: held', state: { lastFailoverAt: NOW - 10_000 }, want: /held back 50 s more.*became primary 10\.0 s ago/ },
    { name: 'recovered since: an independent failure', state: { lastFailoverAt: NOW - 10_000, lastRecoveredAt: NOW - 1 }, want: undefined },
    { name: 'recovered at the same instant counts', state: { lastFailoverAt: NOW - 10_000, lastRecoveredAt: NOW - 10_000 }, want: undefined },
    { name: 'recovered only before the failover: held', state: { lastFailoverAt: NOW - 10_000, lastRecoveredAt: NOW - 20_000 }, want: /held back/ },
    { name: 'the hold is bounded', state: { lastFailoverAt: NOW - 60_000 }, want: undefined },
    { name: 'one millisecond before the bound: held 1 s', state: { lastFailoverAt: NOW - 59_999 }, want: /held back 1 s more/ },
    { name: 're-promoting the failed primary is never held', state: { lastFailoverAt: NOW - 1000 }, candidate: 0, want: undefined },
    { name: 'a 0 s interval disables it', state: { lastFailoverAt: NOW }, interval: 0, want: undefined },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const why = failoverHold(policy({ minFailoverIntervalMs: c.interval ?? 60_000 }), clusterState(c.state), NOW, 0, c.candidate ?? 1);
      if (c.want) assert.match(why ?? '(not held)', c.want);
      else assert.equal(why, undefined);
    });
  }
});

test('recoveredNow', async (t) => {
  const cases: Array<{ name: string; state: Partial<ClusterState>; healthy: boolean; want: boolean }> = [
    { name: 'healthy after a failover: record it', state: { lastFailoverAt: 5 }, healthy: true, want: true },
    { name: 'already recorded', state: { lastFailoverAt: 5, lastRecoveredAt: 6 }, healthy: true, want: false },
    { name: 'not healthy yet', state: { lastFailoverAt: 5 }, healthy: false, want: false },
    { name: 'no failover ever: nothing to record (quiet at rest)', state: {}, healthy: true, want: false },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(recoveredNow(clusterState(c.state), c.healthy), c.want));
});
