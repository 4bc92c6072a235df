import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantityBytes, refusedChanges } from '../../src/api/changes.js';
import { validSpec } from './fixtures.js';

test('quantityBytes', () => {
  const cases: Array<[string, number]> = [['10Gi', 10 * 2 ** 30], ['500M', 5e8], ['1.5Gi', 1.5 * 2 ** 30], ['1024', 1024], ['2Ti', 2 * 2 ** 40]];
  for (const [q, want] of cases) assert.equal(quantityBytes(q), want, q);
  assert.throws(() => quantityBytes('10GB'), /not a quantity/);
});

const cases: Array<{ name: string; before?: Record<string, unknown>; after: Record<string, unknown>; paths: string[] }> = [
  { name: 'nothing changed', after: {}, paths: [] },
  { name: 'scaling and config are allowed', after: { replicas: 5, mariadb: { config: { max_connections: 500 } } }, paths: [] },
  { name: 'growing storage is allowed', after: { storage: { size: '20Gi' } }, paths: [] },
  { name: 'same size in other units', before: { storage: { size: '1Gi' } }, after: { storage: { size: '1024Mi' } }, paths: [] },
  { name: 'shrinking storage', after: { storage: { size: '5Gi' } }, paths: ['spec.storage.size'] },
  { name: 'shrinking across units', before: { storage: { size: '1Gi' } }, after: { storage: { size: '1000M' } }, paths: ['spec.storage.size'] },
  { name: 'storage class set later', after: { storage: { storageClassName: 'fast' } }, paths: ['spec.storage.storageClassName'] },
  { name: 'access modes changed', after: { storage: { accessModes: ['ReadWriteMany'] } }, paths: ['spec.storage.accessModes'] },
  { name: 'database renamed', after: { database: { name: 'shop' } }, paths: ['spec.database.name'] },
  { name: 'primaryReplica turned into galera', after: { mode: 'galera' }, paths: ['spec.mode'] },
  { name: 'galera turned into primaryReplica', before: { mode: 'galera' }, after: {}, paths: ['spec.mode'] },
  { name: 'a galera setting changed', before: { mode: 'galera' }, after: { mode: 'galera', galera: { gcacheSize: '1G' } }, paths: [] },
  { name: 'user renamed and storage shrunk', after: { database: { user: 'shop' }, storage: { size: '1Gi' } }, paths: ['spec.storage.size', 'spec.database.user'] },
];

test('refusedChanges', async (t) => {
  for (const c of cases) {
    await t.test(c.name, () => {
      const errors = refusedChanges(validSpec(c.before ?? {}), validSpec(c.after));
      assert.deepEqual(errors.map((e) => e.path), c.paths);
      for (const e of errors) assert.match(e.message, /^cannot /);
    });
  }
});
