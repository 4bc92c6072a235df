import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutes, roleOf } from '../../src/clustering/routing.js';
import { summarize, type Phase } from '../../src/clustering/summary.js';
import type { ClusterState, InstanceView, Policy } from '../../src/clustering/types.js';
import { LOST, clusterState, down, endpointOf, failoverOp, healthy, policy, primary, quarantine, refused, replica, snapshot, switchoverOp, up } from './fixtures.js';


interface Case<W> {
  name: string;
  instances?: InstanceView[];
  state?: Partial<ClusterState>;
  policy?: Partial<Policy>;
  want: W;
}

const routeCases: Case<{ readWrite: number | null; readOnly: number[] }>[] = [
  { name: 'healthy: primary and both replicas', want: { readWrite: 0, readOnly: [1, 2] } },
  { name: 'no primary yet: nobody', state: { primary: null }, instances: [up(0), up(1), up(2)], want: { readWrite: null, readOnly: [] } },
  { name: 'during a failover no read-write route', state: { operation: failoverOp() }, instances: [refused(0), replica(1, LOST), replica(2, LOST)], want: { readWrite: null, readOnly: [] } },
  { name: 'during a switchover no read-write route', state: { operation: switchoverOp() }, want: { readWrite: null, readOnly: [1, 2] } },
  {
    name: 'a restarted (read-only) primary gets no read-write route: it may lack acknowledged commits',
    instances: [primary(0, { readOnly: true }), replica(1, LOST), replica(2, LOST)],
    want: { readWrite: null, readOnly: [] },
  },
  { name: 'an unreachable primary (a blip) keeps its route', instances: [down(0), replica(1), replica(2)], want: { readWrite: 0, readOnly: [1, 2] } },
  { name: 'a crashed primary (refused) loses its route before it restarts read-only', instances: [refused(0), replica(1), replica(2)], want: { readWrite: null, readOnly: [1, 2] } },
  { name: 'a primary whose process is gone loses its route', instances: [down(0, { processRunning: false }), replica(1), replica(2)], want: { readWrite: null, readOnly: [1, 2] } },
  { name: 'quarantined replica not routed', state: { quarantined: quarantine(2) }, want: { readWrite: 0, readOnly: [1] } },
  { name: 'receiver not running', instances: [primary(0), replica(1, LOST), replica(2)], want: { readWrite: 0, readOnly: [2] } },
  { name: 'applier not running', instances: [primary(0), replica(1), replica(2, { sql: false })], want: { readWrite: 0, readOnly: [1] } },
  { name: 'replicating from another source', instances: [primary(0), replica(1), replica(2, { from: 1 })], want: { readWrite: 0, readOnly: [1] } },
  { name: 'lag above maxReadLagSeconds', instances: [primary(0), replica(1, { lag: 31 }), replica(2, { lag: 30 })], want: { readWrite: 0, readOnly: [2] } },
  { name: 'lag unknown (null)', instances: [primary(0), replica(1, { lag: null }), replica(2)], want: { readWrite: 0, readOnly: [2] } },
  { name: 'custom maxReadLagSeconds', policy: { maxReadLagSeconds: 5 }, instances: [primary(0), replica(1, { lag: 6 }), replica(2, { lag: 5 })], want: { readWrite: 0, readOnly: [2] } },
  { name: 'writable replica not routed', instances: [primary(0), replica(1, {}, { readOnly: false }), replica(2)], want: { readWrite: 0, readOnly: [2] } },
  { name: 'provisioning replica not routed', instances: [primary(0), { ...replica(1), provisioning: true }, replica(2)], want: { readWrite: 0, readOnly: [2] } },
  { name: 'unreachable replica not routed', instances: [primary(0), down(1), replica(2)], want: { readWrite: 0, readOnly: [2] } },
  { name: 'no healthy replica: reads go to the primary', instances: [primary(0), replica(1, LOST), down(2)], want: { readWrite: 0, readOnly: [0] } },
  { name: 'single instance: reads go to the primary', policy: { replicas: 1 }, instances: [primary(0)], want: { readWrite: 0, readOnly: [0] } },
  {
    // Kubernetes: the loop reaches pods by IP, replicas reach the primary by its stable DNS name.
    name: 'replicas that name the primary by its peer address',
    instances: [
      { ...primary(0), peer: { host: 'demo-0.demo-headless', port: endpointOf(0).port } },
      replica(1, { host: 'demo-0.demo-headless' }),
      replica(2),
    ],
    want: { readWrite: 0, readOnly: [1] },
  },
  { name: 'primary elsewhere', state: { primary: 2 }, instances: [replica(0, { from: 2 }), replica(1, { from: 2 }), primary(2)], want: { readWrite: 2, readOnly: [0, 1] } },
];

test('computeRoutes', async (t) => {
  for (const c of routeCases) {
    await t.test(c.name, () => assert.deepEqual(computeRoutes(policy(c.policy), clusterState(c.state), snapshot(c.instances ?? healthy())), c.want));
  }
});

test('roleOf', async (t) => {
  const roles = [
    { name: 'primary', i: primary(0), want: 'primary' },
    { name: 'replica', i: replica(1), want: 'replica' },
    { name: 'not replicating', i: up(1), want: 'unknown' },
    { name: 'unreachable', i: down(2), want: 'unknown' },
  ];
  for (const c of roles) await t.test(c.name, () => assert.equal(roleOf(clusterState(), c.i), c.want));
});

const phaseCases: Case<Phase>[] = [
  { name: 'Creating: no primary yet', state: { primary: null }, instances: [up(0), down(1), down(2)], want: 'Creating' },
  { name: 'Running: everything ready', want: 'Running' },
  { name: 'Degraded: a replica unreachable', instances: [primary(0), replica(1), down(2)], want: 'Degraded' },
  { name: 'Degraded: a replica lagging', instances: [primary(0), replica(1), replica(2, { lag: 120 })], want: 'Degraded' },
  { name: 'Degraded: a replica quarantined', state: { quarantined: quarantine(2) }, want: 'Degraded' },
  { name: 'Degraded: fewer instances than replicas', instances: [primary(0), replica(1)], want: 'Degraded' },
  { name: 'Degraded: more instances than replicas (scaling down)', policy: { replicas: 2 }, want: 'Degraded' },
  { name: 'FailingOver', state: { operation: failoverOp() }, instances: [refused(0), replica(1, LOST), replica(2, LOST)], want: 'FailingOver' },
  { name: 'SwitchingOver', state: { operation: switchoverOp() }, want: 'SwitchingOver' },
  { name: 'Unavailable: primary unreachable', instances: [refused(0), replica(1, LOST), replica(2, LOST)], want: 'Unavailable' },
  { name: 'Unavailable: primary read-only', instances: [primary(0, { readOnly: true }), replica(1), replica(2)], want: 'Unavailable' },
];

test('summarize: phase', async (t) => {
  for (const c of phaseCases) {
    await t.test(c.name, () => assert.equal(summarize(policy(c.policy), clusterState(c.state), snapshot(c.instances ?? healthy())).phase, c.want));
  }
});

test('summarize: instances and counters', () => {
  const s = summarize(
    policy(),
    clusterState({ failovers: 2, switchovers: 3, quarantined: quarantine(2) }),
    snapshot([primary(0), replica(1, { io: 'No', ioErrno: 1045, ioError: 'Access denied', lag: null }), replica(2), { ...down(3), provisioning: true }]),
    'hello',
  );
  assert.equal(s.primary, 0);
  assert.equal(s.failovers, 2);
  assert.equal(s.switchovers, 3);
  assert.equal(s.message, 'hello');
  assert.deepEqual(
    s.instances.map((i) => [i.ordinal, i.role, i.ready, i.readOnly, i.reachable, i.errant, i.lagSeconds, i.message]),
    [
      [0, 'primary', true, false, true, false, null, undefined],
      [1, 'replica', false, true, true, false, null, 'Access denied'],
      [2, 'replica', false, true, true, true, 0, 'quarantined: errant 0-2-101'],
      [3, 'unknown', false, null, false, false, null, 'provisioning'],
    ],
  );
});
