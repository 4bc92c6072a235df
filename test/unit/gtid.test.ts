import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  errantGtids,
  formatGtids,
  stateAtPosition,
  mergePositions,
  parseGtidList,
  positionCovers,
  toPosition,
  toState,
  transactionsAhead,
  type Gtid,
} from '../../src/db/gtid.js';
import { gtidSet } from './fixtures.js';

const g = (domain: number, server: number, seq: number): Gtid => ({ domain, server, seq });

test('parseGtidList', async (t) => {
  const cases: Array<{ name: string; input: string | null | undefined; want: Gtid[] }> = [
    { name: 'empty string', input: '', want: [] },
    { name: 'null', input: null, want: [] },
    { name: 'undefined', input: undefined, want: [] },
    { name: 'one GTID', input: '0-1-100', want: [g(0, 1, 100)] },
    { name: 'several, spaces around', input: ' 0-1-5 , 1-2-7 ', want: [g(0, 1, 5), g(1, 2, 7)] },
    { name: 'empty pieces are skipped', input: '0-1-5,,1-2-7,', want: [g(0, 1, 5), g(1, 2, 7)] },
    { name: 'large numbers', input: '4294967295-4294967295-9007199254740991', want: [g(4294967295, 4294967295, 9007199254740991)] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(parseGtidList(c.input), c.want));
});

test('parseGtidList refuses what is not a GTID', async (t) => {
  const bad = ['0-1', '0-1-2-3', 'a-b-c', '0:1:2', '-1-2-3', '0-1-2 x', '0-1- 2', '0-1-5,garbage', 'uuid:1-5'];
  for (const input of bad) {
    await t.test(JSON.stringify(input), () => assert.throws(() => parseGtidList(input), /not a MariaDB GTID/));
  }
});

test('toPosition keeps the highest sequence number per domain', async (t) => {
  const cases = [
    { name: 'one domain, several servers', input: '0-1-5,0-2-9,0-3-7', want: '0-2-9' },
    { name: 'order does not matter', input: '0-2-9,0-1-5', want: '0-2-9' },
    { name: 'per domain', input: '0-1-5,1-3-4,0-2-9,1-1-2', want: '0-2-9,1-3-4' },
    { name: 'empty', input: '', want: '' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(gtidSet(toPosition(c.input)), gtidSet(c.want));
      assert.equal(gtidSet(toPosition(parseGtidList(c.input))), gtidSet(c.want), 'same from a parsed list');
    });
  }
  await t.test('keyed by domain', () => assert.deepEqual([...toPosition('1-1-2,0-1-5').keys()].sort(), [0, 1]));
});

test('toState keeps the highest sequence number per (domain, server)', async (t) => {
  const cases = [
    { name: 'one entry per server', input: '0-1-5,0-2-9,0-1-7', want: '0-1-7,0-2-9' },
    { name: 'lower seq later does not win', input: '0-1-7,0-1-3', want: '0-1-7' },
    { name: 'same server in two domains', input: '0-1-7,1-1-3', want: '0-1-7,1-1-3' },
    { name: 'null', input: null, want: '' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(gtidSet(toState(c.input)), gtidSet(c.want)));
  await t.test('keyed by "domain-server"', () => assert.deepEqual([...toState('0-1-7,0-2-9').keys()].sort(), ['0-1', '0-2']));
});

test('positionCovers', async (t) => {
  const cases = [
    { name: 'equal', a: '0-1-100', b: '0-1-100', want: true },
    { name: 'a ahead', a: '0-1-101', b: '0-1-100', want: true },
    { name: 'a behind', a: '0-1-99', b: '0-1-100', want: false },
    { name: 'b has a domain a lacks', a: '0-1-100', b: '0-1-100,1-1-1', want: false },
    { name: 'a has an extra domain', a: '0-1-100,1-1-1', b: '0-1-100', want: true },
    { name: 'b empty', a: '', b: '', want: true },
    { name: 'a empty, b not', a: '', b: '0-1-1', want: false },
    { name: 'compared per domain whatever the server', a: '0-2-101', b: '0-1-100', want: true },
    { name: 'one domain ahead, another behind', a: '0-1-101,1-1-1', b: '0-1-100,1-1-2', want: false },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(positionCovers(toPosition(c.a), toPosition(c.b)), c.want));
});

test('mergePositions is the per-domain maximum', async (t) => {
  const cases = [
    { name: 'nothing', inputs: [], want: '' },
    { name: 'one', inputs: ['0-1-5'], want: '0-1-5' },
    { name: 'max per domain', inputs: ['0-1-5', '0-2-9,1-1-3', '1-1-2'], want: '0-2-9,1-1-3' },
    { name: 'empty positions add nothing', inputs: ['', '0-1-5', ''], want: '0-1-5' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(gtidSet(mergePositions(...c.inputs.map((s) => toPosition(s)))), gtidSet(c.want)));
});

test('errantGtids', async (t) => {
  const cases = [
    { name: 'identical', instance: '0-1-100', reference: '0-1-100', want: '' },
    { name: 'lagging is not errant', instance: '0-1-90', reference: '0-1-100', want: '' },
    { name: 'own writes the reference lacks', instance: '0-1-100,0-3-101', reference: '0-1-100', want: '0-3-101' },
    { name: 'ahead of the reference on its server', instance: '0-1-105', reference: '0-1-100', want: '0-1-105' },
    { name: 'a domain the reference lacks', instance: '0-1-100,1-2-5', reference: '0-1-100', want: '1-2-5' },
    { name: 'older servers the reference also has', instance: '0-1-50,0-2-100', reference: '0-1-50,0-2-120', want: '' },
    { name: 'trusted server skipped', instance: '0-1-105,0-3-2', reference: '0-1-100', trusted: [1], want: '0-3-2' },
    { name: 'all trusted', instance: '0-1-105,0-3-2', reference: '', trusted: [1, 3], want: '' },
    { name: 'empty reference: everything untrusted is errant', instance: '0-1-5,0-2-6', reference: '', want: '0-1-5,0-2-6' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const errant = errantGtids(toState(c.instance), toState(c.reference), new Set(c.trusted ?? []));
      assert.equal(gtidSet(errant), gtidSet(c.want));
    });
  }
});

test('transactionsAhead', async (t) => {
  const cases = [
    { name: 'ahead', a: '0-1-105', b: '0-1-100', want: 5 },
    { name: 'behind counts 0, not negative', a: '0-1-95', b: '0-1-100', want: 0 },
    { name: 'equal', a: '0-1-100', b: '0-1-100', want: 0 },
    { name: 'domain b lacks counts in full', a: '1-1-7', b: '0-1-100', want: 7 },
    { name: 'summed over domains', a: '0-1-105,1-1-10', b: '0-1-100,1-1-4', want: 11 },
    { name: 'clamped per domain', a: '0-1-110,1-1-1', b: '0-1-100,1-1-50', want: 10 },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(transactionsAhead(toPosition(c.a), toPosition(c.b)), c.want));
});

test('formatGtids orders by domain, then server, numerically', async (t) => {
  const cases = [
    { name: 'empty', input: [], want: '' },
    { name: 'unordered', input: [g(1, 1, 5), g(0, 3, 2), g(0, 1, 9)], want: '0-1-9,0-3-2,1-1-5' },
    { name: 'numeric, not lexical', input: [g(10, 1, 1), g(2, 1, 1), g(2, 10, 3), g(2, 9, 4)], want: '2-1-1,2-9-4,2-10-3,10-1-1' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(formatGtids(c.input), c.want));
  await t.test('round trip through toState', () => assert.equal(formatGtids(toState('1-2-3,0-2-9,0-1-7').values()), '0-1-7,0-2-9,1-2-3'));
});

test('stateAtPosition: a clone gets the binlog state its donor had at the copied position', async (t) => {
  const cases: Array<{ name: string; state: string; position: string; want: string }> = [
    { name: 'history of old primaries is kept', state: '0-1-10,0-2-50', position: '0-2-50', want: '0-1-10,0-2-50' },
    { name: 'writes after the copy are cut back to the position', state: '0-1-10,0-2-80', position: '0-2-50', want: '0-1-10,0-2-50' },
    { name: 'a server that wrote only after the copy is dropped', state: '0-1-10,0-3-60', position: '0-1-10', want: '0-1-10' },
    { name: 'several domains', state: '0-1-5,1-1-9,1-2-12', position: '0-1-5,1-2-10', want: '0-1-5,1-1-9,1-2-10' },
    { name: 'an empty donor', state: '', position: '', want: '' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(formatGtids(stateAtPosition(toState(c.state), toPosition(c.position)).values()), c.want);
    });
  }
});
