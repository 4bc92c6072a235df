import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, switchoverRefusal, type Requests } from '../../src/clustering/decide.js';
import { toState } from '../../src/db/gtid.js';
import type { Action, ClusterState, InstanceView, Policy } from '../../src/clustering/types.js';
import { ERRANT, LOST, NOW, clusterState, down, failoverOp, healthy, policy, primary, quarantine, refused, replica, snapshot, switchoverOp, up } from './fixtures.js';

const WINDOW = policy().detectionWindowMs;
/** Primary 0 crashed (refused) and both replicas lost it: a failover is due. */
const crashed = () => [refused(0), replica(1, LOST), replica(2, LOST)];
const errantReplica = (ordinal: number) => replica(ordinal, {}, ERRANT);

interface Case {
  name: string;
  instances?: InstanceView[];
  state?: Partial<ClusterState>;
  policy?: Partial<Policy>;
  requests?: Requests;
  lastRepoint?: Array<[number, number]>;
  ceilings?: Array<[number, string]>;
  /** The expected action; `reason` as a RegExp is matched, everything else compared exactly. */
  want: Record<string, unknown> & { kind: Action['kind'] };
}

const cases: Case[] = [
  { name: 'healthy cluster: nothing to do', want: { kind: 'none', reason: undefined } },

  // Operations in progress come first, whatever else is wrong.
  {
    name: 'resumes a failover in progress first',
    state: { operation: failoverOp() },
    instances: [refused(0), replica(1, {}, { readOnly: false }), replica(2)],
    want: { kind: 'failover', from: 0, reason: 'primary 0 is down', resume: failoverOp() },
  },
  {
    name: 'resumes a switchover in progress first',
    state: { operation: switchoverOp() },
    instances: [primary(0, { readOnly: true }), replica(1, LOST), replica(2)],
    want: { kind: 'switchover', from: 0, to: 2, resume: switchoverOp() },
  },

  // Bootstrap.
  { name: 'bootstrap a new cluster: instance 0, the others not provisioned yet', state: { primary: null }, instances: [up(0, { gtids: '' }), { ...down(1), provisioning: true }, { ...down(2), provisioning: true }], want: { kind: 'bootstrap', ordinal: 0 } },
  { name: 'no bootstrap before instance 0 is reachable', state: { primary: null }, instances: [down(0), replica(1), replica(2)], want: { kind: 'none', reason: /waiting for instance\(s\) 0 to answer/ } },
  { name: 'no bootstrap before a server that may run answers', state: { primary: null }, instances: [up(0), down(1), { ...down(2), processRunning: false }], want: { kind: 'none', reason: /waiting for instance\(s\) 1 to answer/ } },
  { name: 'no bootstrap while an instance with data is not started yet', state: { primary: null }, instances: [up(0), up(1), { ...down(2), processRunning: false, hasData: true }], want: { kind: 'none', reason: /waiting for instance\(s\) 2/ } },
  {
    name: 'record lost on kept data: the most advanced instance, not instance 0',
    state: { primary: null },
    instances: [up(0, { gtids: '0-1-90' }), up(1, { gtids: '0-1-100' }), up(2, { gtids: '0-1-95' })],
    want: { kind: 'bootstrap', ordinal: 1 },
  },
  {
    name: 'record lost: a relay log counts, lowest ordinal among equals',
    state: { primary: null },
    instances: [up(0, { gtids: '0-1-90' }), replica(1, { io: 'No', received: '0-1-100' }, { gtids: '0-1-99' }), up(2, { gtids: '0-1-100' })],
    want: { kind: 'bootstrap', ordinal: 1 },
  },
  {
    name: 'record lost while running: the writable instance holding the most stays primary',
    state: { primary: null },
    instances: [up(0), primary(1), up(2)],
    want: { kind: 'bootstrap', ordinal: 1 },
  },
  {
    name: 'record lost: a writable instance that holds less is fenced first',
    state: { primary: null },
    instances: [primary(0, { gtids: '0-1-90' }), up(1), up(2)],
    want: { kind: 'fence', ordinal: 0, restart: true },
  },
  {
    name: 'record lost and histories diverged: a person decides',
    state: { primary: null },
    instances: [up(0, { gtids: '0-1-100', binlogState: '0-1-100' }), up(1, { gtids: '0-2-100', binlogState: '0-2-100' })],
    want: { kind: 'none', reason: /no instance holds every transaction the others hold/ },
  },

  // Failover and what holds it back.
  { name: 'failover when the primary failed', instances: crashed(), want: { kind: 'failover', from: 0, reason: /primary 0 is down/ } },
  { name: 'failover of a restarted (read-only) primary', instances: [primary(0, { readOnly: true }), replica(1), replica(2)], want: { kind: 'failover', from: 0, reason: /restarted/ } },
  {
    name: 'failover disabled',
    policy: { failoverEnabled: false },
    instances: crashed(),
    want: { kind: 'none', blocked: true, reason: /primary 0 is down.*automatic failover is disabled/ },
  },
  {
    name: 'anti-flapping: the new primary fails again before the cluster recovered',
    state: { lastFailoverAt: NOW - 10_000 },
    instances: crashed(),
    want: { kind: 'none', blocked: true, reason: /held back 50 s more \(anti-flapping, spec\.failover\.minIntervalSeconds\).*has not fully recovered/ },
  },
  {
    name: 'anti-flapping: a failure after the cluster recovered fails over at once',
    state: { lastFailoverAt: NOW - 10_000, lastRecoveredAt: NOW - 5_000 },
    instances: crashed(),
    want: { kind: 'failover', from: 0, reason: /primary 0 is down/ },
  },
  {
    name: 'anti-flapping: recovered before the last failover does not count',
    state: { lastFailoverAt: NOW - 10_000, lastRecoveredAt: NOW - 20_000 },
    instances: crashed(),
    want: { kind: 'none', blocked: true, reason: /held back/ },
  },
  {
    name: 'anti-flapping: a held primary that restarted holding the most takes over again at once',
    state: { lastFailoverAt: NOW - 10_000 },
    instances: [primary(0, { readOnly: true, semiSync: false, gtids: '0-1-102' }), replica(1, LOST), replica(2, LOST)],
    want: { kind: 'failover', from: 0, to: 0, reason: /restarted/ },
  },
  {
    name: 'anti-flapping: a restarted primary equal to the replicas is re-promoted during the hold',
    state: { lastFailoverAt: NOW - 10_000 },
    instances: [primary(0, { readOnly: true, semiSync: false }), replica(1, LOST), replica(2, LOST)],
    want: { kind: 'failover', from: 0, to: 0, reason: /restarted/ },
  },
  { name: 'a restarted primary outside any hold: an ordinary failover (a replica wins ties)', instances: [primary(0, { readOnly: true, semiSync: false }), replica(1, LOST), replica(2, LOST)], want: { kind: 'failover', from: 0, reason: /restarted/ } },
  { name: 'anti-flapping: exactly minIntervalSeconds later', state: { lastFailoverAt: NOW - 60_000 }, instances: crashed(), want: { kind: 'failover', from: 0 } },
  { name: 'anti-flapping disabled (0 s)', policy: { minFailoverIntervalMs: 0 }, state: { lastFailoverAt: NOW }, instances: crashed(), want: { kind: 'failover', from: 0 } },
  {
    name: 'an unreachable, maybe running replica blocks failover (cannot fence)',
    instances: [refused(0), replica(1, LOST), down(2)],
    want: { kind: 'none', blocked: true, reason: /cannot fence instance\(s\) 2/ },
  },
  {
    name: 'a replica down with data and no bound on what it holds blocks failover (it may have acknowledged more)',
    instances: [refused(0), replica(1, LOST), down(2, { processRunning: false })],
    want: { kind: 'none', blocked: true, reason: /instance\(s\) 2 are down and may hold acknowledged commits instance 1 lacks/ },
  },
  {
    name: 'a replica that went down while the primary was at 0-1-90: the candidate at 0-1-100 covers it',
    instances: [refused(0), replica(1, LOST), down(2, { processRunning: false })],
    ceilings: [[2, '0-1-90']],
    want: { kind: 'failover', from: 0 },
  },
  {
    name: 'a replica that went down later than the candidate received: blocked',
    instances: [refused(0), replica(1, LOST), down(2, { processRunning: false })],
    ceilings: [[2, '0-1-101']],
    want: { kind: 'none', blocked: true, reason: /instance\(s\) 2 are down/ },
  },
  {
    name: 'the failed primary restarted (kept its tail) holds everything acknowledged: replicas down without a bound do not block',
    instances: [primary(0, { readOnly: true }), down(1, { processRunning: false }), down(2, { processRunning: false })],
    want: { kind: 'failover', from: 0, to: 0 },
  },
  {
    name: 'a replica known to have no data does not block failover',
    instances: [refused(0), replica(1, LOST), { ...down(2, { processRunning: false }), hasData: false }],
    want: { kind: 'failover', from: 0 },
  },
  {
    name: 'no candidate: only an errant replica left',
    instances: [refused(0), up(1, ERRANT), down(2, { processRunning: false })],
    want: { kind: 'none', reason: /primary 0 is down.*errant 0-2-101/ },
  },
  {
    name: 'suspect primary (a blip): nothing, with the reason',
    instances: [down(0, { unreachableSince: NOW - 10 * WINDOW }), replica(1), replica(2, LOST)],
    want: { kind: 'none', reason: /still receive/ },
  },
  {
    name: 'suspect primary: no repoint of the replica that lost it',
    instances: [down(0, { unreachableSince: NOW - 1000 }), replica(1, LOST), replica(2, LOST)],
    want: { kind: 'none', reason: /window 4 s/ },
  },

  // Fence first, then quarantine, then repoint.
  {
    name: 'a writable non-primary is fenced even while the primary is only suspect',
    instances: [down(0, { unreachableSince: NOW - 1000 }), replica(1), up(2, { readOnly: false })],
    want: { kind: 'fence', ordinal: 2, restart: false },
  },
  {
    name: 'a writable non-primary is fenced before quarantine and repoint',
    instances: [primary(0), replica(1, { from: 2 }), up(2, { ...ERRANT, readOnly: false })],
    requests: { switchover: { to: 1 }, rebuild: [1] },
    want: { kind: 'fence', ordinal: 2, reason: /instance 2 is writable but is not the primary/, restart: false },
  },
  {
    name: 'a returning old primary (semi-sync primary side on) is fenced by restart, never by killing sessions',
    instances: [primary(1), replica(2, { from: 1 }), up(0, { readOnly: false, semiSync: true })],
    state: { primary: 1 },
    want: { kind: 'fence', ordinal: 0, restart: true },
  },
  { name: 'errant replica is quarantined', instances: [primary(0), replica(1), errantReplica(2)], want: { kind: 'quarantine', ordinal: 2, errant: '0-2-101' } },
  {
    name: 'a replica alone holding what the primary lacks is quarantined, even with another replica',
    instances: [primary(0), replica(1, {}, ERRANT), replica(2)],
    want: { kind: 'quarantine', ordinal: 1, errant: '0-2-101' },
  },
  {
    name: 'every replica holds what the primary lacks: the primary is broken, nobody is quarantined',
    instances: [primary(0), replica(1, {}, ERRANT), replica(2, {}, ERRANT)],
    want: { kind: 'alert', reason: /primary 0 lacks transactions every replica has \(0-2-101\)/ },
  },
  {
    name: 'quarantine comes before repoint',
    instances: [primary(0), replica(1, { from: 2 }), errantReplica(2)],
    want: { kind: 'quarantine', ordinal: 2 },
  },
  {
    name: 'a quarantined replica is neither quarantined again nor repointed',
    state: { quarantined: quarantine(2) },
    instances: [primary(0), replica(1), up(2, ERRANT)],
    want: { kind: 'none', reason: undefined },
  },
  { name: 'a lagging replica is not errant', instances: [primary(0), replica(1, { lag: 500 }, { gtids: '0-1-60' }), replica(2)], want: { kind: 'none' } },
  {
    name: "the primary's own newer writes are not errant on it",
    instances: [primary(0, { gtids: '0-1-200' }), replica(1), replica(2)],
    want: { kind: 'none' },
  },
  { name: 'repoint a replica of another source', instances: [primary(0), replica(1), replica(2, { from: 1 })], want: { kind: 'repoint', ordinal: 2, reason: /replicating from 127\.0\.0\.1:20001, not the primary/ } },
  { name: 'repoint a replica that does not replicate', instances: [primary(0), up(1), replica(2)], want: { kind: 'repoint', ordinal: 1, reason: 'not replicating' } },
  { name: 'repoint a receiver stopped without error', instances: [primary(0), replica(1, { io: 'No' }), replica(2)], want: { kind: 'repoint', ordinal: 1, reason: 'replication is stopped' } },
  { name: 'repoint an applier stopped without error', instances: [primary(0), replica(1), replica(2, { sql: false })], want: { kind: 'repoint', ordinal: 2, reason: 'replication is stopped' } },
  {
    name: 'no repoint within the backoff window',
    instances: [primary(0), replica(1), replica(2, { from: 1 })],
    lastRepoint: [[2, NOW - 1000]],
    want: { kind: 'none' },
  },
  {
    name: 'backoff of one replica does not hold back another',
    instances: [primary(0), replica(1, { io: 'No' }), replica(2, { from: 1 })],
    lastRepoint: [[1, NOW - 1000]],
    want: { kind: 'repoint', ordinal: 2 },
  },
  {
    name: 'repoint again after the backoff window',
    instances: [primary(0), replica(1), replica(2, { from: 1 })],
    lastRepoint: [[2, NOW - 3000]],
    want: { kind: 'repoint', ordinal: 2 },
  },
  {
    name: 'a receiver stopped on an error is not repointed',
    instances: [primary(0), replica(1, { io: 'No', ioErrno: 1236, ioError: 'Got fatal error 1236' }), replica(2)],
    want: { kind: 'none' },
  },
  {
    name: 'an applier stopped on an error is not repointed',
    instances: [primary(0), replica(1, { sql: false, sqlError: 'Duplicate entry' }), replica(2)],
    want: { kind: 'none' },
  },
  { name: 'a provisioning instance is not repointed', instances: [primary(0), { ...up(1), provisioning: true }, replica(2)], want: { kind: 'none' } },

  // Semi-sync on the primary.
  { name: 'semi-sync off on the primary but wanted', instances: [primary(0, { semiSync: false }), replica(1), replica(2)], want: { kind: 'configurePrimary', ordinal: 0, semiSync: true } },
  { name: 'semi-sync on but disabled in the spec', policy: { semiSync: false }, instances: healthy(), want: { kind: 'configurePrimary', ordinal: 0, semiSync: false } },
  { name: 'semi-sync on a single instance is off', policy: { replicas: 1 }, instances: [primary(0)], want: { kind: 'configurePrimary', ordinal: 0, semiSync: false } },
  { name: 'repoint comes before configuring semi-sync', instances: [primary(0, { semiSync: false }), replica(1, { io: 'No' }), replica(2)], want: { kind: 'repoint', ordinal: 1 } },

  // Requests.
  { name: 'switchover to the requested replica', requests: { switchover: { to: 2 } }, want: { kind: 'switchover', from: 0, to: 2 } },
  {
    name: 'switchover waits while the target is not yet a healthy replica',
    requests: { switchover: { to: 2 } },
    instances: [primary(0), replica(1), replica(2, { sql: false })],
    want: { kind: 'none', reason: /switchover waiting for instance 2/ },
  },
  {
    name: 'switchover waits while the target lacks history the others hold (a clone without its seeded state)',
    requests: { switchover: { to: 2 } },
    instances: [primary(0, { binlogState: '0-1-100,0-2-50' }), replica(1, {}, { binlogState: '0-1-100,0-2-50' }), replica(2, {}, { binlogState: '0-1-100' })],
    want: { kind: 'none', reason: /switchover waiting: instance 2 lacks 0-2-50/ },
  },
  {
    name: "switchover: the primary's own newest writes are waited for, not refused",
    requests: { switchover: { to: 2 } },
    instances: [primary(0, { gtids: '0-1-120' }), replica(1, {}, { gtids: '0-1-110' }), replica(2, {}, { gtids: '0-1-105' })],
    want: { kind: 'switchover', from: 0, to: 2 },
  },
  {
    name: 'switchover to the least-lagging healthy replica',
    requests: { switchover: {} },
    instances: [primary(0), replica(1, { lag: 5 }), replica(2, { lag: 1 })],
    want: { kind: 'switchover', from: 0, to: 2 },
  },
  {
    name: 'switchover: equal lag, lowest ordinal',
    requests: { switchover: {} },
    instances: [primary(0), replica(2, { lag: 3 }), replica(1, { lag: 3 })],
    want: { kind: 'switchover', from: 0, to: 1 },
  },
  {
    name: 'switchover skips unhealthy and quarantined replicas',
    requests: { switchover: {} },
    state: { quarantined: quarantine(1) },
    instances: [primary(0), replica(1, { lag: 0 }), replica(2, { lag: 20 }), replica(3, { lag: 0, io: 'Connecting', ioErrno: 2003 }), replica(4, { lag: 31 })],
    policy: { replicas: 5 },
    want: { kind: 'switchover', from: 0, to: 2 },
  },
  { name: 'switchover with no healthy replica: nothing', requests: { switchover: {} }, instances: [primary(0), replica(1, { lag: 99 }), down(2)], want: { kind: 'none' } },
  { name: 'switchover to the primary itself: nothing', requests: { switchover: { to: 0 } }, want: { kind: 'none' } },
  { name: 'rebuild a replica', requests: { rebuild: [1] }, want: { kind: 'rebuild', ordinal: 1 } },
  { name: 'rebuild before switchover', requests: { rebuild: [2], switchover: { to: 1 } }, want: { kind: 'rebuild', ordinal: 2 } },
  { name: 'rebuild of the primary is ignored', requests: { rebuild: [0] }, want: { kind: 'none' } },
  { name: 'rebuild of an unknown instance is ignored', requests: { rebuild: [7, 2] }, want: { kind: 'rebuild', ordinal: 2 } },
  {
    name: 'rebuild of a quarantined replica comes before quarantine checks',
    state: { quarantined: quarantine(2) },
    instances: [primary(0), errantReplica(1), errantReplica(2)],
    requests: { rebuild: [2] },
    want: { kind: 'rebuild', ordinal: 2 },
  },
];

function assertAction(actual: Action, want: Case['want']): void {
  for (const [key, value] of Object.entries(want)) {
    const got = (actual as Record<string, unknown>)[key];
    if (value instanceof RegExp) assert.match(String(got), value, `${key} of ${JSON.stringify(actual)}`);
    else assert.deepEqual(got, value, `${key} of ${JSON.stringify(actual)}`);
  }
}

function run(c: Case): void {
  const action = decide({
    policy: policy(c.policy),
    state: clusterState(c.state),
    snap: snapshot(c.instances ?? healthy()),
    requests: c.requests,
    lastRepoint: c.lastRepoint ? new Map(c.lastRepoint) : undefined,
    ceilings: new Map((c.ceilings ?? []).map(([o, g]) => [o, toState(g)])),
  });
  assertAction(action, c.want);
}

test('decide', async (t) => {
  for (const c of cases) await t.test(c.name, () => run(c));
});

// Real bugs: decide() serves switchover requests before its errant check, although the file
// header puts quarantine right after the fence, so an errant replica that is not quarantined
// yet can be promoted and its errant transactions replicated to everyone.
const errantBeforeSwitchover: Case[] = [
  {
    name: 'a requested switchover to an errant replica quarantines it instead',
    requests: { switchover: { to: 2 } },
    instances: [primary(0), replica(1), errantReplica(2)],
    want: { kind: 'quarantine', ordinal: 2 },
  },
  {
    name: 'a switchover without a target never picks an errant replica',
    requests: { switchover: {} },
    instances: [primary(0), replica(1, { lag: 5 }), replica(2, { lag: 0 }, ERRANT)],
    want: { kind: 'quarantine', ordinal: 2 },
  },
];

test('decide: errant replicas are quarantined before any switchover', async (t) => {
  for (const c of errantBeforeSwitchover) await t.test(c.name, () => run(c));
});

test('switchoverRefusal', async (t) => {
  const refusals: Array<{ name: string; to: number; state?: Partial<ClusterState>; instances?: InstanceView[]; want: RegExp | undefined }> = [
    { name: 'healthy replica', to: 1, want: undefined },
    { name: 'no primary yet', to: 1, state: { primary: null }, want: /no primary yet/ },
    { name: 'lagging but replicating replica', to: 2, instances: [primary(0), replica(1), replica(2, { lag: 300 })], want: undefined },
    { name: 'an operation in progress', to: 1, state: { operation: switchoverOp() }, want: /a switchover is in progress/ },
    { name: 'a failover in progress', to: 1, state: { operation: failoverOp() }, want: /a failover is in progress/ },
    { name: 'already the primary', to: 0, want: /instance 0 is already the primary/ },
    { name: 'no such instance', to: 5, want: /instance 5 does not exist/ },
    { name: 'quarantined', to: 2, state: { quarantined: quarantine(2) }, want: /instance 2 is quarantined/ },
    { name: 'unreachable: queued (decide waits), not refused', to: 2, instances: [primary(0), replica(1), down(2)], want: undefined },
    { name: 'not replicating: queued (decide waits), not refused', to: 1, instances: [primary(0), up(1), replica(2)], want: undefined },
    { name: 'receiver connecting: queued (decide waits), not refused', to: 1, instances: [primary(0), replica(1, LOST), replica(2)], want: undefined },
    { name: 'applier stopped: queued (decide waits), not refused', to: 1, instances: [primary(0), replica(1, { sql: false }), replica(2)], want: undefined },
  ];
  for (const c of refusals) {
    await t.test(c.name, () => {
      const why = switchoverRefusal(clusterState(c.state), snapshot(c.instances ?? healthy()), c.to);
      if (c.want) assert.match(why ?? '(no refusal)', c.want);
      else assert.equal(why, undefined);
    });
  }
});
