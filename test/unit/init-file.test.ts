// When a clone's or a restored instance's first-start SQL has run (src/mariadb/init-file.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstStartRan } from '../../src/mariadb/init-file.js';

test('firstStartRan: the first binary log shows the first-start SQL ran', async (t) => {
  const g = { domain: 0, server: 1, seq: 7 };
  const table: Array<[string, Parameters<typeof firstStartRan>[0], boolean]> = [
    ['no binary log yet', undefined, false],
    ['the empty file of the settling pass or a first start not done yet', { startState: [], transactions: 0 }, false],
    ['RESET MASTER and the binlog state: a Gtid_list', { startState: [g], transactions: 0 }, true],
    ['a copy of an empty cluster that has replicated since', { startState: [], transactions: 3 }, true],
  ];
  for (const [name, first, want] of table) await t.test(name, () => assert.equal(firstStartRan(first), want));
});
