import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ports } from '../../src/platform/local/ports.js';
import { refusedPortChanges, refusedSandboxChanges } from '../../src/sandbox/refused-changes.js';
import { validSpec } from './fixtures.js';

// Chosen at creation: basePort 13300, endpoints at +10 and +11.
const ports: Ports = { basePort: 13300, readWrite: 13310, readOnly: 13311 };

const portCases: Array<{ name: string; local: Record<string, number>; paths: string[] }> = [
  { name: 'no ports named: the chosen ones stay', local: {}, paths: [] },
  { name: 'the same ports named again', local: { basePort: 13300, readWritePort: 13310, readOnlyPort: 13311 }, paths: [] },
  { name: 'another base port', local: { basePort: 13320 }, paths: ['spec.local.basePort'] },
  { name: 'another read-write port', local: { readWritePort: 14000 }, paths: ['spec.local.readWritePort'] },
  { name: 'another read-only port', local: { readOnlyPort: 14001 }, paths: ['spec.local.readOnlyPort'] },
  { name: 'every port moved', local: { basePort: 14400, readWritePort: 14410, readOnlyPort: 14411 }, paths: ['spec.local.basePort', 'spec.local.readWritePort', 'spec.local.readOnlyPort'] },
];

test('refusedPortChanges', async (t) => {
  for (const c of portCases) {
    await t.test(c.name, () => {
      const errors = refusedPortChanges(validSpec({ local: c.local }).local, ports);
      assert.deepEqual(errors.map((e) => e.path), c.paths);
      for (const e of errors) assert.match(e.message, /^cannot change on an existing cluster \(it is \d+\)$/);
    });
  }
});

const specCases: Array<{ name: string; after: Record<string, unknown>; paths: string[] }> = [
  { name: 'scaling is allowed', after: { replicas: 5 }, paths: [] },
  { name: 'storage is not the sandbox\'s: no volume rule applies', after: { storage: { size: '1Gi', storageClassName: 'fast' } }, paths: [] },
  { name: 'database renamed', after: { database: { name: 'shop' } }, paths: ['spec.database.name'] },
  { name: 'a port and the user changed: ports first', after: { local: { basePort: 13320 }, database: { user: 'shop' } }, paths: ['spec.local.basePort', 'spec.database.user'] },
];

test('refusedSandboxChanges', async (t) => {
  for (const c of specCases) {
    await t.test(c.name, () => {
      const errors = refusedSandboxChanges(validSpec(), validSpec(c.after), ports);
      assert.deepEqual(errors.map((e) => e.path), c.paths);
    });
  }
});
