// `kubectl ordinal status` as text, and the switchover target: the one asked for, or the best
// ready replica, refused with the reason before anything changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterTree } from '../../src/cli/cluster-tree.js';
import { switchoverTarget, type ClusterView, type InstanceView } from '../../src/views/cluster-view.js';

const inst = (ordinal: number, role: string, more: Partial<InstanceView> = {}): InstanceView => ({ ordinal, role, ready: true, readOnly: role !== 'primary', errant: false, lagSeconds: role === 'primary' ? null : 0, ...more });
const cluster = (instances: InstanceView[], primary: number | null = 0): ClusterView => ({
  name: 'demo', namespace: 'db',
  status: { phase: 'Running', primary, ready: `${instances.filter((i) => i.ready).length}/${instances.length}`, failovers: 1, switchovers: 2, instances },
});

test('status as a tree: the primary above its replicas, errant and lagging ones marked', () => {
  const text = clusterTree(cluster([inst(1, 'replica', { lagSeconds: 3 }), inst(0, 'primary'), inst(2, 'replica', { errant: true, ready: false, message: 'quarantined: errant 0-2-5' })]));
  assert.equal(text, [
    'demo (db)  primary-replica  phase Running  ready 2/3  primary 0  failovers 1  switchovers 2',
    '  0  primary  ready  writable',
    '  ├─ 1  replica  ready  read-only  lag 3s',
    '  └─ 2  replica  not ready  read-only  lag 0s  ERRANT (quarantined)  (quarantined: errant 0-2-5)',
    'services: demo-primary (read-write), demo-replicas (healthy replicas), demo-read (every healthy instance)',
  ].join('\n'));
});

test('status of a Galera cluster: nodes side by side with their wsrep state', () => {
  const c: ClusterView = {
    name: 'gal', namespace: 'db', mode: 'galera',
    status: {
      phase: 'Degraded', primary: 2, ready: '2/3', instances: [inst(0, 'replica', { readOnly: false }), inst(1, 'unknown', { ready: false, readOnly: null, message: 'Joiner' }), inst(2, 'primary')],
      galera: { writer: 2, clusterSize: 3, plan: 'join', planReason: 'node(s) 0, 2 form the Primary component', nodes: [
        { ordinal: 0, state: 'Synced', seqno: 10, clusterSize: 3, flowControlPaused: 0.25, recvQueue: 0 },
        { ordinal: 1, state: 'Joiner', seqno: 3, clusterSize: 3, flowControlPaused: 0, recvQueue: 0 },
        { ordinal: 2, state: 'Synced', seqno: 10, clusterSize: 3, flowControlPaused: 0, recvQueue: 4 },
      ] },
    },
  };
  assert.equal(clusterTree(c), [
    'gal (db)  galera  phase Degraded  ready 2/3  writer 2  failovers 0  switchovers 0',
    '  cluster size 3, plan join: node(s) 0, 2 form the Primary component',
    '  node 0  node  Synced  ready  seqno 10  flow control 25%',
    '  node 1  node  Joiner  not ready  seqno 3',
    '  node 2  writer  Synced  ready  seqno 10  recv queue 4',
    'services: gal-primary (the write node), gal-read (every synced node), gal-replicas (the synced nodes but the write node)',
  ].join('\n'));
});

test('switchoverTarget', async (t) => {
  const healthy = cluster([inst(0, 'primary'), inst(1, 'replica', { lagSeconds: 2 }), inst(2, 'replica', { lagSeconds: 0 })]);
  const table: Array<[string, ClusterView, number | undefined, ReturnType<typeof switchoverTarget>]> = [
    ['no target: the ready replica with the least lag', healthy, undefined, { ok: true, ordinal: 2 }],
    ['the target asked for', healthy, 1, { ok: true, ordinal: 1 }],
    ['the primary itself', healthy, 0, { ok: false, why: 'instance 0 is the primary already' }],
    ['an instance that does not exist', healthy, 7, { ok: false, why: 'instance 7 does not exist (instances: 0, 1, 2)' }],
    ['an errant replica', cluster([inst(0, 'primary'), inst(1, 'replica', { errant: true, ready: false })]), 1, { ok: false, why: 'instance 1 is errant (it has transactions the primary never had); rebuild it first' }],
    ['a replica that is not ready (lagging, stopped)', cluster([inst(0, 'primary'), inst(1, 'replica', { ready: false, message: 'lag 40 s' })]), 1, { ok: false, why: 'instance 1 is not ready (lag 40 s)' }],
    ['no ready replica at all', cluster([inst(0, 'primary'), inst(1, 'replica', { ready: false })]), undefined, { ok: false, why: 'no replica is ready to take over' }],
    ['an errant replica is never chosen', cluster([inst(0, 'primary'), inst(1, 'replica', { errant: true })]), undefined, { ok: false, why: 'no replica is ready to take over' }],
    ['no primary', cluster([inst(0, 'replica')], null), 0, { ok: false, why: 'the cluster has no primary' }],
    ['a Galera cluster', { ...healthy, mode: 'galera' }, 1, { ok: false, why: 'a Galera cluster moves its write node by itself; switchover is for primary-replica clusters' }],
  ];
  for (const [name, c, to, want] of table) await t.test(name, () => assert.deepEqual(switchoverTarget(c, to), want));
});
