// What the reconciler asks of the HA loop, against a fake loop and a fake Applier: one
// switchover at a time per cluster, spec.primaryOrdinal, a scale-down past the primary, and
// the rebuild annotation reported and cleared however the rebuild ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_API, REBUILD_ANNOTATION, RECOVER_ANNOTATION } from '../../src/api/cluster.js';
import type { GaleraHa } from '../../src/controllers/galera-ha.js';
import { PhaseError } from '../../src/controllers/phase-error.js';
import { ClusterRequests } from '../../src/controllers/requests.js';
import { FakeHa, settle } from './fake-ha.js';
import { FakeApplier, FakeEvents } from './fake-kube.js';
import { quiet, validCluster } from './fixtures.js';

const ref = { ...CLUSTER_API, name: 'demo', namespace: 'db', uid: 'uid-demo' };

function world(annotation?: string) {
  const applier = new FakeApplier().put({ ...CLUSTER_API, metadata: { name: 'demo', namespace: 'db', annotations: annotation === undefined ? {} : { [REBUILD_ANNOTATION]: annotation } } });
  const events = new FakeEvents();
  return { applier, events, requests: new ClusterRequests({ applier, events, log: quiet }) };
}
const annotations = async (applier: FakeApplier) => (await applier.get(ref))?.metadata?.annotations;

test('one switchover at a time per cluster: another is asked for only once the first has ended', async () => {
  const { requests } = world();
  const ha = new FakeHa();
  requests.switchover(ref, ha, 1, 'PreferredPrimary');
  requests.switchover(ref, ha, 2, 'RollingUpdate');
  assert.deepEqual(ha.asked, ['switchover 1']);
  assert.equal(requests.switchingOver(ref), true);

  const other = new FakeHa();
  requests.switchover({ ...ref, name: 'other' }, other, 1, 'PreferredPrimary');
  assert.deepEqual(other.asked, ['switchover 1'], 'another cluster does not wait for this one');

  ha.finish();
  await settle();
  assert.equal(requests.switchingOver(ref), false);
  requests.switchover(ref, ha, 2, 'RollingUpdate');
  assert.deepEqual(ha.asked, ['switchover 1', 'switchover 2']);
});

test('a failed switchover is reported with why it was asked for, and the next may go', async () => {
  const { requests, events } = world();
  const ha = new FakeHa();
  requests.switchover(ref, ha, 1, 'ScaleDown');
  ha.finish('switchover refused: instance 1 lags');
  await settle();
  assert.deepEqual(events.seen, ['Warning SwitchoverFailed: ScaleDown: switchover refused: instance 1 lags']);
  assert.equal(requests.switchingOver(ref), false);
});

test('spec.primaryOrdinal: a switchover only to a healthy replica, only when it is not the primary, not during an operation', async (t) => {
  const cases: Array<{ name: string; want?: number; ha?: FakeHa; asked: string[] }> = [
    { name: 'no preference', asked: [] },
    { name: 'already the primary', want: 0, asked: [] },
    { name: 'a healthy replica', want: 2, asked: ['switchover 2'] },
    { name: 'an unready replica', want: 2, ha: new FakeHa({ unready: [2] }), asked: [] },
    { name: 'no primary yet', want: 2, ha: new FakeHa({ primary: null }), asked: [] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const { requests } = world();
      const ha = c.ha ?? new FakeHa();
      requests.preferredPrimary(ref, ha, validCluster(c.want === undefined ? {} : { primaryOrdinal: c.want }));
      assert.deepEqual(ha.asked, c.asked);
    });
  }
  await t.test('an operation in progress', () => {
    const { requests } = world();
    const ha = new FakeHa();
    ha.state = { ...ha.state, operation: { kind: 'failover', from: 0, to: 1, reason: 'x', startedAt: 0 } };
    requests.preferredPrimary(ref, ha, validCluster({ primaryOrdinal: 2 }));
    assert.deepEqual(ha.asked, []);
  });
});

test('scaling down past the primary hands its role to a healthy replica that stays, or stops the phase', () => {
  const { requests } = world();
  const ha = new FakeHa({ primary: 2, unready: [0] });
  requests.beforeScaleDown(ref, ha, 3, 2);
  assert.deepEqual(ha.asked, [], 'the primary stays: nothing to do');
  requests.beforeScaleDown(ref, ha, 2, 2);
  assert.deepEqual(ha.asked, ['switchover 1']);

  const stuck = new FakeHa({ primary: 2, unready: [0, 1] });
  assert.throws(() => requests.beforeScaleDown(ref, stuck, 2, 2), (err) => err instanceof PhaseError && /waits for a healthy replica below ordinal 2 to take over from primary 2/.test(err.message));
  // Before the HA loop runs (a restarted operator), only status.ha knows the primary.
  assert.throws(() => requests.beforeScaleDown(ref, undefined, 2, 2), PhaseError);
});

test('a rebuild annotation that names no instance is reported and cleared, and nothing is rebuilt', async (t) => {
  for (const value of ['x', '-1', '1.5', '', ' 1', '01', '1e0']) {
    await t.test(JSON.stringify(value), async () => {
      const { requests, applier, events } = world(value);
      const ha = new FakeHa();
      requests.rebuild(ref, ha, value);
      await settle();
      assert.deepEqual(ha.asked, []);
      assert.deepEqual(events.seen, [`Warning RebuildFailed: annotation ${REBUILD_ANNOTATION}: "${value}" is not an instance ordinal`]);
      assert.deepEqual(await annotations(applier), {});
    });
  }
});

test('a rebuild runs once however often it is seen, and its annotation goes when it has finished', async () => {
  const { requests, applier, events } = world('2');
  const ha = new FakeHa();
  requests.rebuild(ref, ha, '2');
  requests.rebuild(ref, ha, '2');
  await settle();
  assert.deepEqual(ha.asked, ['rebuild 2']);
  assert.deepEqual(applier.writes, [], 'the annotation stays while the rebuild runs');
  ha.finish();
  await settle();
  assert.deepEqual(events.seen, ['Normal Rebuilt: instance 2 was cloned again']);
  assert.deepEqual(await annotations(applier), {});
});

test('a rebuild that fails is reported and its annotation cleared as well', async () => {
  const { requests, applier, events } = world('0');
  const ha = new FakeHa();
  requests.rebuild(ref, ha, '0');
  ha.finish('instance 0 is the primary; switch over first');
  await settle();
  assert.deepEqual(events.seen, ['Warning RebuildFailed: instance 0 is the primary; switch over first']);
  assert.deepEqual(await annotations(applier), {});
});

test('the recover-from annotation: passed to the Galera loop or refused with the reason, and cleared either way', async (t) => {
  const galera = (refuse?: string) => {
    const forced: number[] = [];
    const ha = { galera: { forceRecoveryFrom: (o: number) => { if (refuse) throw new Error(refuse); forced.push(o); } } } as unknown as GaleraHa;
    return { ha, forced };
  };
  const cases: Array<[string, string, ReturnType<typeof galera> | undefined, number[], string[]]> = [
    ['a node ordinal: the loop bootstraps from it next time', '2', galera(), [2], []],
    ['not an ordinal', 'two', galera(), [], ['Warning RecoverRefused: annotation ordinal.dev/recover-from: "two" is not a node ordinal']],
    ['a Primary component exists', '1', galera('the cluster has a Primary component; nothing to recover'), [], ['Warning RecoverRefused: annotation ordinal.dev/recover-from: the cluster has a Primary component; nothing to recover']],
    ['not a Galera cluster', '1', undefined, [], ['Warning RecoverRefused: annotation ordinal.dev/recover-from: the cluster is not a Galera cluster']],
  ];
  for (const [name, value, g, forced, events] of cases) {
    await t.test(name, async () => {
      const applier = new FakeApplier().put({ ...CLUSTER_API, metadata: { name: 'demo', namespace: 'db', annotations: { [RECOVER_ANNOTATION]: value } } });
      const ev = new FakeEvents();
      await new ClusterRequests({ applier, events: ev, log: quiet }).recoverFrom(ref, g?.ha, value);
      assert.deepEqual(g?.forced ?? [], forced);
      assert.deepEqual(ev.seen, events);
      assert.equal((await annotations(applier))?.[RECOVER_ANNOTATION], undefined, 'cleared');
    });
  }
});
