import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRolloutStep, type RolloutInstance, type RolloutStep } from '../../src/controllers/rollout.js';
import { claimsOfRemovedInstances, primaryMustMove, statefulSetReplicas } from '../../src/controllers/scale.js';

/** "u" updated+ready, "s" stale+ready, "S" stale+unready, "U" updated+unready, "-" pod missing. */
function cluster(states: string): RolloutInstance[] {
  return [...states].map((c, ordinal) => ({ ordinal, updated: c === 'u' || c === 'U', ready: c === 'u' || c === 's', present: c !== '-' }));
}

const cases: Array<{ name: string; states: string; primary?: number | null; op?: boolean; want: RolloutStep['kind']; ordinal?: number }> = [
  { name: 'all updated', states: 'uuu', want: 'done' },
  { name: 'replicas first, highest ordinal first', states: 'sss', primary: 0, want: 'restart', ordinal: 2 },
  { name: 'then the next replica', states: 'ssu', primary: 0, want: 'restart', ordinal: 1 },
  { name: 'primary last: switch over to an updated replica', states: 'suu', primary: 0, want: 'switchover', ordinal: 1 },
  { name: 'after the switchover the old primary restarts as a replica', states: 'suu', primary: 1, want: 'restart', ordinal: 0 },
  { name: 'wait while a restarted replica comes back', states: 'sUu', primary: 0, want: 'wait' },
  { name: 'wait while a pod is missing', states: 's-u', primary: 0, want: 'wait' },
  { name: 'an unhealthy stale replica goes first', states: 'ssS', primary: 0, want: 'restart', ordinal: 2 },
  { name: 'an unhealthy stale replica goes first even if lower', states: 'sSs', primary: 0, want: 'restart', ordinal: 1 },
  { name: 'two unhealthy: no margin', states: 'sSS', primary: 0, want: 'wait' },
  { name: 'unhealthy primary: wait', states: 'Sss', primary: 0, want: 'wait' },
  { name: 'not during a failover', states: 'sss', primary: 0, op: true, want: 'wait' },
  { name: 'not before bootstrap', states: 'sss', primary: null, want: 'wait' },
  { name: 'single instance restarts in place', states: 's', primary: 0, want: 'restart', ordinal: 0 },
  { name: 'primary elsewhere: replicas 2 and 0 first', states: 'sss', primary: 1, want: 'restart', ordinal: 2 },
];

test('nextRolloutStep', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const step = nextRolloutStep(cluster(c.states), c.primary === undefined ? 0 : c.primary, c.op ?? false);
      assert.equal(step.kind, c.want, JSON.stringify(step));
      if (step.kind === 'restart') assert.equal(step.ordinal, c.ordinal);
      if (step.kind === 'switchover') assert.equal(step.to, c.ordinal);
    });
  }
});

test('scaling never removes the primary', () => {
  assert.equal(statefulSetReplicas(3, 0), 3);
  assert.equal(statefulSetReplicas(3, 4), 5, 'the primary at ordinal 4 is kept until it moves');
  assert.equal(statefulSetReplicas(2, null), 2);
  assert.equal(primaryMustMove(3, 4), true);
  assert.equal(primaryMustMove(3, 2), false);
  assert.equal(primaryMustMove(3, null), false);
  assert.deepEqual(claimsOfRemovedInstances([0, 1, 2, 3, 4], 3, [0, 1, 2, 4]), [3], 'a claim whose pod still runs waits');
  assert.deepEqual(claimsOfRemovedInstances([0, 1], 3, [0, 1]), []);
});
