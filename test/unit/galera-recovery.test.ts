import assert from 'node:assert/strict';
import test from 'node:test';
import { joinKeepsData, planRecovery, stuckDisconnected, STUCK_DISCONNECTED_MS, type NodeFacts, type RecoveryInput } from '../../src/galera/recovery.js';
import { ZERO_UUID } from '../../src/galera/position.js';
import { startStep } from '../../src/galera/start.js';

const U = 'a04e9f70-ed38-11f1-bacc-f7d4489ec4cf';
const V = 'b1111111-ed38-11f1-bacc-f7d4489ec4cf';
const down = (ordinal: number, seqno: number | null | undefined, extra: Partial<NodeFacts> = {}): NodeFacts =>
  ({ ordinal, running: false, stored: seqno === null ? null : seqno === undefined ? undefined : { uuid: U, seqno }, ...extra });
const up = (ordinal: number, primary: boolean, seqno = 10, uuid = U): NodeFacts =>
  ({ ordinal, running: true, answered: { primary, position: { uuid, seqno } } });
const silent = (ordinal: number): NodeFacts => ({ ordinal, running: true });
const input = (nodes: NodeFacts[], extra: Partial<RecoveryInput> = {}): RecoveryInput =>
  ({ nodes, bootstrapped: true, noPrimaryForMs: 0, graceMs: 10_000, ...extra });

const cases: Array<{ name: string; in: RecoveryInput; want: Record<string, unknown>; why?: RegExp }> = [
  { name: 'one node in a Primary component: the rest join it', in: input([up(0, true), down(1, 5), down(2, -1)]), want: { kind: 'join' } },
  { name: 'a brand-new cluster starts on node 0', in: input([down(0, null), down(1, null), down(2, null)], { bootstrapped: false }), want: { kind: 'new', ordinal: 0 } },
  { name: 'every node crashed: the highest seqno bootstraps', in: input([down(0, 7), down(1, 9), down(2, 8)]), want: { kind: 'bootstrap', ordinal: 1, how: 'start' }, why: /highest committed seqno/ },
  { name: 'a tie goes to safe_to_bootstrap', in: input([down(0, 9), down(1, 9), down(2, 9, { safeToBootstrap: true })]), want: { kind: 'bootstrap', ordinal: 2 } },
  { name: 'a tie without the mark goes to the lowest ordinal', in: input([down(0, 3), down(1, 9), down(2, 9)]), want: { kind: 'bootstrap', ordinal: 1 } },
  { name: 'safe_to_bootstrap never beats a higher seqno', in: input([down(0, 9), down(1, 8, { safeToBootstrap: true }), down(2, 1)]), want: { kind: 'bootstrap', ordinal: 0 } },
  { name: 'an empty node is never chosen', in: input([down(0, null), down(1, 4), down(2, 3)]), want: { kind: 'bootstrap', ordinal: 1 } },
  { name: 'a zero UUID is no data (#1701 of another operator)', in: input([{ ordinal: 0, running: false, stored: { uuid: ZERO_UUID, seqno: 99 }, safeToBootstrap: true }, down(1, 4), down(2, 3)]), want: { kind: 'bootstrap', ordinal: 1 } },
  { name: 'a position not yet known: wait', in: input([down(0, 9), down(1, undefined, { unknownWhy: 'wsrep-recover failed' }), down(2, 3)]), want: { kind: 'wait' }, why: /node\(s\) 1 \(wsrep-recover failed\) is unknown/ },
  { name: 'a node runs but does not answer: wait (it may be Primary elsewhere)', in: input([silent(0), down(1, 9), down(2, 3)], { noPrimaryForMs: 60_000 }), want: { kind: 'wait' }, why: /run but do not answer/ },
  { name: 'running non-Primary nodes within the grace: wait', in: input([up(0, false, 9), up(1, false, 9), down(2, 3)], { noPrimaryForMs: 2000 }), want: { kind: 'wait' }, why: /no Primary component for 2 s/ },
  { name: 'after the grace, the running node ahead is promoted in place', in: input([up(0, false, 9), up(1, false, 12), down(2, 3)], { noPrimaryForMs: 20_000 }), want: { kind: 'bootstrap', ordinal: 1, how: 'promote' } },
  { name: 'after the grace, a down node ahead is started', in: input([up(0, false, 9), down(1, 15), down(2, 3)], { noPrimaryForMs: 20_000 }), want: { kind: 'bootstrap', ordinal: 1, how: 'start' } },
  { name: 'two histories: wait for a person', in: input([down(0, 9), { ordinal: 1, running: false, stored: { uuid: V, seqno: 12 } }, down(2, 3)]), want: { kind: 'wait' }, why: /different histories/ },
  { name: 'forced: the person\'s node, even behind', in: input([down(0, 9), down(1, 12), down(2, 3)], { forced: 2 }), want: { kind: 'bootstrap', ordinal: 2 }, why: /a person chose node 2/ },
  { name: 'forced works while a position is unknown', in: input([down(0, 9), down(1, undefined), down(2, 3)], { forced: 0 }), want: { kind: 'bootstrap', ordinal: 0 } },
  { name: 'forced onto an empty node is refused', in: input([down(0, null), down(1, 12), down(2, 3)], { forced: 0 }), want: { kind: 'wait' }, why: /has no data/ },
  { name: 'forced onto a node that does not exist', in: input([down(0, 9), down(1, 12), down(2, 3)], { forced: 5 }), want: { kind: 'wait' }, why: /does not exist/ },
  { name: 'bootstrapped once and all data gone: never start empty', in: input([down(0, null), down(1, null), down(2, null)]), want: { kind: 'wait' }, why: /starting empty would lose it/ },
  { name: 'not bootstrapped, but a node has data: bootstrap from it', in: input([down(0, null), down(1, 4), down(2, null)], { bootstrapped: false }), want: { kind: 'bootstrap', ordinal: 1 } },
  { name: 'not bootstrapped, a node unknown: wait', in: input([down(0, null), down(1, undefined), down(2, null)], { bootstrapped: false }), want: { kind: 'wait' } },
];

test(`planRecovery (${cases.length} cases)`, async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const plan = planRecovery(c.in);
      for (const [k, v] of Object.entries(c.want)) assert.equal((plan as Record<string, unknown>)[k], v, `${k} in ${JSON.stringify(plan)}`);
      if (c.why) assert.match(plan.why, c.why);
    });
  }
});

test('joinKeepsData', () => {
  const cluster = { uuid: U, seqno: 100 };
  const table: Array<[string, Parameters<typeof joinKeepsData>[0], boolean]> = [
    ['no data', null, true],
    ['a zero UUID', { uuid: ZERO_UUID, seqno: -1 }, true],
    ['behind, same history', { uuid: U, seqno: 40 }, true],
    ['level', { uuid: U, seqno: 100 }, true],
    ['ahead of the cluster (after a forced bootstrap)', { uuid: U, seqno: 101 }, false],
    ['another history', { uuid: V, seqno: 3 }, false],
  ];
  for (const [name, node, want] of table) assert.equal(joinKeepsData(node, cluster), want, name);
});

test('startStep: what a stopped node may do under each plan', () => {
  const P = { uuid: U, seqno: 10 };
  const bootstrap1 = { kind: 'bootstrap', ordinal: 1, how: 'start', position: P, why: 'highest' } as const;
  const join = { kind: 'join', why: 'a Primary component' } as const;
  const table: Array<[string, Parameters<typeof startStep>[0], Parameters<typeof startStep>[1], Partial<ReturnType<typeof startStep>> & { kind: string }]> = [
    ['wait holds everyone', { kind: 'wait', why: 'x' }, { ordinal: 0, hasData: true }, { kind: 'hold' }],
    ['new: node 0 with its fresh data bootstraps', { kind: 'new', ordinal: 0, why: 'new' }, { ordinal: 0, hasData: true }, { kind: 'start', args: ['--wsrep-new-cluster'], bootstrap: true }],
    ['new: the others wait', { kind: 'new', ordinal: 0, why: 'new' }, { ordinal: 1, hasData: false }, { kind: 'hold' }],
    ['bootstrap: the chosen node, at its position', bootstrap1, { ordinal: 1, hasData: true }, { kind: 'start', args: ['--wsrep-new-cluster', `--wsrep-start-position=${U}:10`], bootstrap: true }],
    ['bootstrap: the others wait', bootstrap1, { ordinal: 2, hasData: true }, { kind: 'hold' }],
    ['join: its previous server still a member: wait', join, { ordinal: 2, hasData: true, stored: { uuid: U, seqno: 4 }, cluster: P, stillMember: true }, { kind: 'hold' }],
    ['join: no data, full copy', join, { ordinal: 2, hasData: false }, { kind: 'start', args: [] }],
    ['join: position not read yet', join, { ordinal: 2, hasData: true, cluster: P }, { kind: 'hold' }],
    ['join: behind, from its position', join, { ordinal: 2, hasData: true, stored: { uuid: U, seqno: 4 }, cluster: P }, { kind: 'start', args: [`--wsrep-start-position=${U}:4`] }],
    ['join: ahead of the cluster, data kept aside', join, { ordinal: 2, hasData: true, stored: { uuid: U, seqno: 11 }, cluster: P }, { kind: 'start', args: [], keepDataAside: true }],
  ];
  for (const [name, plan, node, want] of table) {
    const got = startStep(plan, node) as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${name}: ${k} in ${JSON.stringify(got)}`);
  }
});

test('stuckDisconnected: a node Disconnected past the threshold while a Primary component exists', async (t) => {
  const T = STUCK_DISCONNECTED_MS;
  const cases: Array<[string, Array<[number, number]>, boolean, number[]]> = [
    ['nobody disconnected', [], true, []],
    ['disconnected long, a Primary component exists: restart it', [[2, T]], true, [2]],
    ['disconnected briefly (a join connects in seconds): wait', [[2, T - 1]], true, []],
    ['no Primary component anywhere: recovery decides, not this', [[0, 10 * T], [2, 10 * T]], false, []],
    ['only the stuck ones, in order', [[4, T + 5], [1, 1000], [3, 2 * T]], true, [3, 4]],
  ];
  for (const [name, since, anyPrimary, want] of cases) {
    await t.test(name, () => assert.deepEqual(stuckDisconnected(new Map(since), anyPrimary), want));
  }
});
