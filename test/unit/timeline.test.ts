// The archive's history: which segment holds each transaction when segments of several
// servers overlap, where a replay from a backup can go, and what is refused with which range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Segment } from '../../src/backup/segment.js';
import { chainFrom, planReplay, timeline, type Head } from '../../src/backup/timeline.js';

/** A segment of server `server` holding transactions first..last, closed at second `closed` (minutes:seconds past 12:00). */
function seg(server: number, first: number, last: number, closed: number, firstAt = closed - 5): Segment {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
  return {
    format: 1, cluster: 'demo', serverId: server, file: `mariadb-bin.${first}`, key: `k-${server}-${first}-${last}`,
    startState: `0-${server}-${first - 1}`, first: `0-${server}-${first}`, last: `0-${server}-${last}`, firstSeq: first, lastSeq: last,
    firstTime: at(firstAt), lastTime: at(closed), closedAt: at(closed), transactions: last - first + 1, bytes: 1, sha256: 'x',
  };
}
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const ranges = (pieces: ReturnType<typeof timeline>) => pieces.map((p) => `${p.segment.serverId}:${p.after + 1}-${p.through}`);

test('timeline: the segment closed last holds each transaction', async (t2) => {
  const cases: Array<{ name: string; segments: Segment[]; want: string[] }> = [
    { name: 'one server, in order', segments: [seg(1, 1, 10, 10), seg(1, 11, 20, 20)], want: ['1:1-10', '1:11-20'] },
    { name: 'a hole stays a hole', segments: [seg(1, 1, 10, 10), seg(1, 15, 20, 20)], want: ['1:1-10', '1:15-20'] },
    // Server 1 failed with transaction 10 unreplicated; server 2 wrote its own 10 after the failover.
    { name: 'a failover: the old primary\'s unreplicated tail loses', segments: [seg(1, 1, 10, 10), seg(2, 8, 15, 20)], want: ['1:1-7', '2:8-15'] },
    { name: 'a new primary\'s old replica-era file agrees and fills in', segments: [seg(2, 1, 6, 5), seg(1, 1, 10, 10)], want: ['1:1-10'] },
    { name: 'a failback reuses names, not ranges', segments: [seg(1, 1, 10, 10), seg(2, 11, 20, 20), seg(1, 21, 30, 30)], want: ['1:1-10', '2:11-20', '1:21-30'] },
  ];
  for (const c of cases) await t2.test(c.name, () => assert.deepEqual(ranges(timeline(c.segments)), c.want));
});

test('chainFrom: unbroken history after a backup, and the time it is complete until', async (t2) => {
  const pieces = timeline([seg(1, 1, 10, 10), seg(1, 11, 20, 20), seg(1, 26, 30, 30)]);
  await t2.test('stops at a hole, naming it', () => {
    const c = chainFrom(pieces, 4);
    assert.deepEqual([ranges(c.pieces), c.through, c.recoverableUntil, c.gap], [['1:5-10', '1:11-20'], 20, t(20).toISOString(), { after: 20, before: 26 }]);
  });
  await t2.test('a head at the end extends the time', () => {
    const head: Head = { serverId: 1, seq: 30, at: t(45).toISOString() };
    const c = chainFrom(timeline([seg(1, 1, 10, 10), seg(1, 11, 30, 30)]), 0, head);
    assert.equal(c.recoverableUntil, t(45).toISOString());
  });
  await t2.test('a head elsewhere does not', () => {
    const head: Head = { serverId: 1, seq: 40, at: t(45).toISOString() };
    assert.equal(chainFrom(timeline([seg(1, 1, 10, 10)]), 0, head).recoverableUntil, t(10).toISOString());
  });
  await t2.test('nothing after the backup, with a head there: current until the head', () => {
    assert.equal(chainFrom([], 7, { serverId: 1, seq: 7, at: t(50).toISOString() }).recoverableUntil, t(50).toISOString());
  });
});

test('planReplay', async (t2) => {
  const segments = [seg(1, 1, 10, 10), seg(2, 8, 15, 20), seg(2, 16, 25, 30)];
  await t2.test('to a transaction, across the failover', () => {
    const p = planReplay(segments, 3, { seq: 18 });
    assert.ok(p.ok);
    assert.deepEqual([ranges(p.pieces), p.stopSeq], [['1:4-7', '2:8-15', '2:16-18'], 18]);
  });
  await t2.test('to a time: pieces that begin before it, the time to the second below', () => {
    const p = planReplay(segments, 3, { time: new Date(t(22).getTime() + 700) });
    assert.ok(p.ok);
    assert.deepEqual([ranges(p.pieces), p.stopTime?.toISOString()], [['1:4-7', '2:8-15'], t(22).toISOString()]);
  });
  const refused: Array<[string, Parameters<typeof planReplay>[2], number, RegExp]> = [
    ['a transaction past the archive', { seq: 40 }, 3, /sequence number 40 is not covered: the archive covers sequence numbers 4 to 25, up to 2026-01-01T12:00:30.000Z/],
    ['a time past the archive', { time: t(31) }, 3, /12:00:31.000Z is not covered: the archive covers sequence numbers 4 to 25/],
    ['a transaction the backup is past', { seq: 2 }, 3, /already past sequence number 2 \(it holds up to 3\)/],
    ['nothing archived after the backup', { time: t(31) }, 25, /holds nothing after the backup's position \(sequence number 25\)/],
  ];
  for (const [name, target, from, want] of refused) {
    await t2.test(`refused: ${name}`, () => {
      const p = planReplay(segments, from, target);
      assert.ok(!p.ok && want.test(p.reason), JSON.stringify(p));
    });
  }
  await t2.test('refused past a hole, naming the missing transactions', () => {
    const p = planReplay([seg(1, 1, 10, 10), seg(1, 14, 20, 20)], 0, { seq: 15 });
    assert.ok(!p.ok && /transactions 11 to 13 are missing/.test(p.reason), JSON.stringify(p));
  });
});

test('behindHead: which closed files the archive holds already', async (t2) => {
  const { behindHead } = await import('../../src/backup/archiver.js');
  const head: Head = { serverId: 1, seq: 100, last: '0-1-100', at: t(0).toISOString() };
  const file = (server: number, seq: number) => ({ startState: [], transactions: 1, last: { domain: 0, server, seq } });
  const cases: Array<[string, ReturnType<typeof file>, Head | undefined, boolean]> = [
    ['no head yet: archive everything', file(2, 50), undefined, false],
    ['a new primary\'s replica-era file, before the head', file(2, 99), head, true],
    ['ends with the head\'s own transaction', file(1, 100), head, true],
    ['ends at the head\'s number with another server\'s transaction: the other side of a failover', file(2, 100), head, false],
    ['past the head', file(1, 101), head, false],
  ];
  for (const [name, f, h, want] of cases) await t2.test(name, () => assert.equal(behindHead(f, h), want));
});
