import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldPosition, pickCandidate } from '../../src/clustering/candidate.js';
import type { ClusterState, InstanceView } from '../../src/clustering/types.js';
import { clusterState, down, gtidSet, primary, quarantine, refused, replica, snapshot } from './fixtures.js';

const STOPPED = { io: 'No' as const, lag: null };
/** A fenced replica: receiver stopped, `gtids` applied, `received` in the relay log. */
const fenced = (ordinal: number, gtids: string, received = gtids, binlogState?: string) =>
  replica(ordinal, { ...STOPPED, received }, { gtids, binlogState });

interface Case {
  name: string;
  instances: InstanceView[];
  state?: Partial<ClusterState>;
  want: number | RegExp;
  /** The position the chosen instance holds. */
  position?: string;
  preferFailed?: boolean;
}

const cases: Case[] = [
  {
    name: 'received (Gtid_IO_Pos) counts, not only executed',
    instances: [refused(0), fenced(1, '0-1-90', '0-1-100'), fenced(2, '0-1-95')],
    want: 1,
    position: '0-1-100',
  },
  {
    name: 'the failed primary tail beyond its last observed state is not errant',
    instances: [refused(0), fenced(1, '0-1-103', '0-1-105'), fenced(2, '0-1-100')],
    want: 1,
    position: '0-1-105',
  },
  {
    name: 'an errant replica is never chosen, even if ahead',
    instances: [refused(0), fenced(1, '0-2-101', '0-1-100', '0-1-100,0-2-101'), fenced(2, '0-1-100')],
    want: 2,
  },
  {
    name: 'errant writes in another domain also exclude',
    instances: [refused(0), fenced(1, '0-1-100,1-2-3', '0-1-100', '0-1-100,1-2-3'), fenced(2, '0-1-99')],
    want: 2,
  },
  {
    name: 'transactions of earlier primaries in the reference are fine',
    state: { primaryBinlogState: '0-1-100,0-3-40' },
    instances: [refused(0), fenced(1, '0-1-100', '0-1-100', '0-1-100,0-3-40'), fenced(2, '0-1-98', '0-1-98', '0-1-98,0-3-40')],
    want: 1,
  },
  {
    name: 'a quarantined replica is never chosen; the candidate must hold what it received',
    state: { quarantined: quarantine(1) },
    instances: [refused(0), fenced(1, '0-1-100'), fenced(2, '0-1-95', '0-1-101')],
    want: 2,
  },
  {
    name: 'what a quarantined replica received (and may have acknowledged) nobody holds: refused',
    state: { quarantined: quarantine(1) },
    instances: [refused(0), fenced(1, '0-1-100'), fenced(2, '0-1-95')],
    want: /quarantined instance 1 received up to 0-1-100, which no candidate holds/,
  },
  {
    name: 'a candidate lacking history another holds (lost seeded state) is not chosen',
    state: { primaryBinlogState: '0-1-100,0-2-50' },
    instances: [refused(0), fenced(1, '0-1-100', '0-1-100', '0-1-100'), fenced(2, '0-1-99', '0-1-99', '0-1-99,0-2-50')],
    want: /diverged histories/,
  },
  {
    name: 'the failed primary tail received but not applied counts as held',
    state: { primaryBinlogState: '0-1-100' },
    instances: [refused(0), fenced(1, '0-1-100', '0-1-104', '0-1-100'), fenced(2, '0-1-103', '0-1-103', '0-1-103')],
    want: 1,
    position: '0-1-104',
  },
  {
    name: 'preferring the failed primary (a held-back failover): it wins ties',
    instances: [primary(0, { readOnly: true }), fenced(1, '0-1-100'), fenced(2, '0-1-100')],
    preferFailed: true,
    want: 0,
  },
  {
    name: 'a provisioning instance is never chosen',
    instances: [refused(0), { ...fenced(1, '0-1-100'), provisioning: true }, fenced(2, '0-1-95')],
    want: 2,
  },
  { name: 'tie: lowest ordinal', instances: [refused(0), fenced(2, '0-1-100'), fenced(1, '0-1-100')], want: 1 },
  {
    name: 'tie with the restarted old primary: a replica wins',
    instances: [primary(0, { readOnly: true }), fenced(1, '0-1-100'), fenced(2, '0-1-100')],
    want: 1,
  },
  {
    name: 'the restarted old primary when strictly ahead',
    instances: [primary(0, { readOnly: true, gtids: '0-1-102' }), fenced(1, '0-1-100'), fenced(2, '0-1-101')],
    want: 0,
    position: '0-1-102',
  },
  {
    name: 'the old primary alone',
    instances: [primary(0, { readOnly: true }), down(1), down(2)],
    want: 0,
  },
  { name: 'nobody reachable', instances: [refused(0), down(1), down(2)], want: /no instance can be promoted \(none reachable\)/ },
  {
    name: 'only an errant replica reachable',
    instances: [refused(0), fenced(1, '0-2-101', '0-1-100', '0-1-100,0-2-101'), down(2)],
    want: /no instance can be promoted: 1 \(errant 0-2-101\)/,
  },
  {
    name: 'only a quarantined replica reachable',
    state: { quarantined: quarantine(2) },
    instances: [refused(0), down(1), fenced(2, '0-1-100')],
    want: /2 \(quarantined\)/,
  },
  {
    name: 'diverged domains: nobody covers everybody',
    state: { primaryBinlogState: '0-1-100,1-1-4' },
    instances: [refused(0), fenced(1, '0-1-101,1-1-5'), fenced(2, '0-1-100,1-1-6')],
    want: /diverged histories/,
  },
];

test('pickCandidate', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const choice = pickCandidate(clusterState(c.state), snapshot(c.instances), 0, c.preferFailed);
      if (typeof c.want === 'number') {
        assert.ok(choice.ok, JSON.stringify(choice));
        assert.equal(choice.ordinal, c.want);
        if (c.position) assert.equal(gtidSet(choice.position), c.position);
      } else {
        assert.equal(choice.ok, false);
        assert.match(!choice.ok ? choice.reason : '', c.want);
      }
    });
  }
});

test('heldPosition', async (t) => {
  const heldCases = [
    { name: 'executed and received merged', i: fenced(1, '0-1-90,1-1-5', '0-1-100'), want: '0-1-100,1-1-5' },
    { name: 'no replication: executed', i: primary(0), want: '0-1-100' },
    { name: 'unreachable: nothing', i: down(1), want: '' },
  ];
  for (const c of heldCases) await t.test(c.name, () => assert.equal(gtidSet(heldPosition(c.i)), c.want));
});
