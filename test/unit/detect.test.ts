import { test } from 'node:test';
import assert from 'node:assert/strict';
import { primaryHealth, unfenceable } from '../../src/clustering/detect.js';
import type { ClusterState, InstanceView } from '../../src/clustering/types.js';
import { LOST, NOW, clusterState, down, policy, primary, quarantine, refused, replica, snapshot, switchoverOp } from './fixtures.js';

const WINDOW = policy().detectionWindowMs;

interface Case {
  name: string;
  instances: InstanceView[];
  state?: Partial<ClusterState>;
  want: 'healthy' | 'suspect' | 'failed';
  reason?: RegExp;
}

const cases: Case[] = [
  { name: 'healthy primary', instances: [primary(0), replica(1), replica(2)], want: 'healthy' },
  { name: 'no primary recorded yet', instances: [primary(0)], state: { primary: null }, want: 'suspect', reason: /no primary recorded/ },
  { name: 'recorded primary no longer exists', instances: [replica(1), replica(2)], want: 'failed', reason: /instance 0 no longer exists/ },
  {
    name: 'restarted primary: reachable, read-only, no operation',
    instances: [primary(0, { readOnly: true }), replica(1), replica(2)],
    want: 'failed',
    reason: /primary 0 restarted/,
  },
  {
    name: 'read-only primary during a switchover is healthy',
    instances: [primary(0, { readOnly: true }), replica(1), replica(2)],
    state: { operation: switchoverOp() },
    want: 'healthy',
  },
  {
    name: 'unreachable but a replica still receives (a blip)',
    instances: [down(0, { unreachableSince: NOW - 10 * WINDOW }), replica(1), replica(2, LOST)],
    want: 'suspect',
    reason: /replica\(s\) 1 still receive/,
  },
  {
    name: 'refused even while a replica still receives is only suspect',
    instances: [refused(0), replica(1), replica(2)],
    want: 'suspect',
    reason: /still receive/,
  },
  {
    name: 'refused and replicas Connecting',
    instances: [refused(0, { unreachableSince: NOW }), replica(1, LOST), replica(2, LOST)],
    want: 'failed',
    reason: /primary 0 is down \(connect ECONNREFUSED\)/,
  },
  {
    // After a crash of everything the replicas may have restarted without the tail they
    // acknowledged (relay logs are fetched again in GTID mode): only the starting primary has it.
    name: 'refused while its server is starting (crash recovery), replicas Connecting',
    instances: [refused(0, { processRunning: true, starting: true, unreachableSince: NOW - 10 * WINDOW }), replica(1, LOST), replica(2, LOST)],
    want: 'suspect',
    reason: /primary 0 is starting/,
  },
  {
    name: 'no replicas and the process is not running',
    instances: [down(0, { processRunning: false, error: undefined })],
    want: 'failed',
    reason: /process not running/,
  },
  {
    name: 'no replicas, timeout, process maybe running',
    instances: [down(0, { unreachableSince: NOW - 10 * WINDOW })],
    want: 'suspect',
    reason: /no replica can confirm/,
  },
  {
    name: 'timeout, replicas lost it, inside the detection window',
    instances: [down(0, { unreachableSince: NOW - WINDOW + 1 }), replica(1, LOST), replica(2, { io: 'No', lag: null })],
    want: 'suspect',
    reason: /unreachable for 4\.0 s \(window 4 s\)/,
  },
  {
    name: 'timeout, replicas lost it, first observation (no unreachableSince)',
    instances: [down(0), replica(1, LOST), replica(2, LOST)],
    want: 'suspect',
    reason: /unreachable for 0\.0 s/,
  },
  {
    name: 'timeout, replicas lost it, window elapsed',
    instances: [down(0, { unreachableSince: NOW - WINDOW }), replica(1, LOST), replica(2, LOST)],
    want: 'failed',
    reason: /unreachable for 4\.0 s and the replicas lost it too/,
  },
  {
    name: 'a quarantined replica that still receives does not hold off the failure',
    instances: [down(0, { unreachableSince: NOW - WINDOW }), replica(1), replica(2, LOST)],
    state: { quarantined: quarantine(1) },
    want: 'failed',
  },
  {
    name: 'a replica of another source does not count as a witness',
    instances: [down(0, { unreachableSince: NOW - WINDOW }), replica(1, { from: 2 }), replica(2, LOST)],
    want: 'failed',
  },
  {
    name: '"localhost" and 127.0.0.1 are the same source',
    instances: [down(0, { unreachableSince: NOW - WINDOW }), replica(1, { host: 'localhost' }), replica(2, LOST)],
    want: 'suspect',
    reason: /replica\(s\) 1 still receive/,
  },
];

test('primaryHealth', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const h = primaryHealth(policy(), clusterState(c.state), snapshot(c.instances));
      assert.equal(h.state, c.want, JSON.stringify(h));
      if (c.reason) assert.match('reason' in h ? h.reason : '', c.reason);
    });
  }
});

test('unfenceable', async (t) => {
  const unfenceableCases: Array<{ name: string; instances: InstanceView[]; want: number[] }> = [
    { name: 'all reachable', instances: [refused(0), replica(1), replica(2)], want: [] },
    { name: 'unreachable replica, process maybe running', instances: [refused(0), replica(1), down(2)], want: [2] },
    { name: 'unreachable replica, process known stopped', instances: [refused(0), replica(1), down(2, { processRunning: false })], want: [] },
    { name: 'provisioning replica', instances: [refused(0), replica(1), down(2, { provisioning: true })], want: [] },
    { name: 'the primary itself never counts', instances: [down(0), replica(1), replica(2)], want: [] },
    { name: 'several', instances: [refused(0), down(1), down(2, { processRunning: true })], want: [1, 2] },
  ];
  for (const c of unfenceableCases) {
    await t.test(c.name, () => assert.deepEqual(unfenceable(clusterState(), snapshot(c.instances)).map((i) => i.ordinal), c.want));
  }
});
