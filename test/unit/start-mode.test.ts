import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMode, type StartMode } from '../../src/clustering/start-mode.js';
import type { ClusterState } from '../../src/clustering/types.js';
import { clusterState, failoverOp } from './fixtures.js';

const cases: Array<{ name: string; ordinal: number; state?: Partial<ClusterState>; crashed?: boolean; blocked?: boolean; want: StartMode }> = [
  { name: 'a replica truncates: the recorded primary holds what it acknowledged', ordinal: 1, want: 'truncate' },
  { name: 'the recorded primary after a crash of everything keeps its tail', ordinal: 0, want: 'keep' },
  { name: 'the recorded primary seen crashing waits for the loop', ordinal: 0, crashed: true, want: 'hold' },
  { name: 'the crashed primary keeps its tail when no failover can run', ordinal: 0, crashed: true, blocked: true, want: 'keep' },
  { name: 'the old primary of a failover under way waits for the new one', ordinal: 0, state: { operation: { kind: 'failover', from: 0, reason: 'primary 0 is down', startedAt: 0 } }, want: 'hold' },
  { name: 'the old primary waits while the chosen one catches up', ordinal: 0, state: { operation: failoverOp() }, want: 'hold' },
  { name: 'the old primary truncates once the new one is recorded', ordinal: 0, state: { primary: 1, operation: failoverOp() }, want: 'hold' },
  { name: 'after the failover finished it truncates', ordinal: 0, state: { primary: 1 }, crashed: true, want: 'truncate' },
  { name: 'the failover chose the failed primary again: it keeps its tail', ordinal: 0, state: { operation: { ...failoverOp(), to: 0 } }, want: 'keep' },
  { name: 'another instance during a failover truncates', ordinal: 2, state: { operation: failoverOp() }, want: 'truncate' },
  { name: 'no primary recorded yet', ordinal: 0, state: { primary: null }, want: 'keep' },
];

test('startMode', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = startMode({ ordinal: c.ordinal, state: clusterState(c.state), crashedAsPrimary: c.crashed ?? false, failoverBlocked: c.blocked ?? false });
      assert.equal(got.mode, c.want, got.why);
    });
  }
});
