import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayStartEmpty, type PeerData } from '../../src/clustering/bootstrap.js';

const none = (peer: string): PeerData => ({ peer, data: 'none' });
const some = (peer: string): PeerData => ({ peer, data: 'some' });
const unknown = (peer: string): PeerData => ({ peer, data: 'unknown', why: 'ECONNREFUSED' });

const cases: Array<{ name: string; ordinal: number; primaryRecorded?: boolean; peers: PeerData[]; want: boolean; reason?: RegExp }> = [
  { name: 'ordinal 0, no peers at all', ordinal: 0, peers: [], want: true },
  { name: 'ordinal 0, no peer has data', ordinal: 0, peers: [none('1'), none('2')], want: true },
  { name: 'ordinal 1 never, even with every peer empty', ordinal: 1, peers: [none('0'), none('2')], want: false, reason: /only instance 0/ },
  { name: 'ordinal 1 never, without peers', ordinal: 1, peers: [], want: false, reason: /only instance 0/ },
  { name: 'a peer with data', ordinal: 0, peers: [none('1'), some('2')], want: false, reason: /peers hold data: 2$/ },
  { name: 'a peer that did not answer may hold data', ordinal: 0, peers: [none('1'), unknown('2')], want: false, reason: /2 \(ECONNREFUSED\)/ },
  { name: 'a recorded primary: the cluster exists', ordinal: 0, primaryRecorded: true, peers: [none('1')], want: false, reason: /primary was recorded/ },
];

test('mayStartEmpty', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = mayStartEmpty({ ordinal: c.ordinal, primaryRecorded: c.primaryRecorded ?? false, peers: c.peers });
      assert.equal(got.allowed, c.want);
      if (!got.allowed && c.reason) assert.match(got.reason, c.reason);
    });
  }
});
