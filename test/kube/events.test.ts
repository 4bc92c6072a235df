import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventRecorder, truncateUtf8 } from '../../src/kube/events.js';
import { kubeRequest } from '../../src/kube/request.js';
import { createNamespace, useApiServer } from './fixtures.js';

const ctx = useApiServer();

interface Ev {
  reason: string;
  message: string;
  type: string;
  count: number;
  involvedObject: { kind: string; name: string };
}

async function events(ns: string): Promise<Ev[]> {
  const list = await kubeRequest<{ items: Ev[] }>(ctx.server.kubeconfig, { method: 'GET', path: `/api/v1/namespaces/${ns}/events` });
  return list.items;
}

const cluster = { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', name: 'demo', namespace: 'ev', uid: 'u-1' };

test('events are created, and repeats within the window bump one count', async () => {
  await createNamespace(ctx.server, 'ev');
  let now = new Date('2024-05-01T10:00:00Z');
  const errors: string[] = [];
  const recorder = new EventRecorder(ctx.server.kubeconfig, { component: 'ordinal-operator', now: () => now, onError: (m) => errors.push(m) });

  await Promise.all([
    recorder.warning(cluster, 'PrimaryFailed', 'instance 0 stopped answering'),
    recorder.warning(cluster, 'PrimaryFailed', 'instance 0 stopped answering'),
  ]);
  await recorder.warning(cluster, 'PrimaryFailed', 'instance 0 stopped answering');
  await recorder.normal(cluster, 'Promoted', 'instance 1 is the primary');

  let got = await events('ev');
  assert.deepEqual(
    got.map((e) => [e.reason, e.type, e.count, e.involvedObject.kind, e.involvedObject.name]).sort(),
    [
      ['PrimaryFailed', 'Warning', 3, 'MySQLCluster', 'demo'],
      ['Promoted', 'Normal', 1, 'MySQLCluster', 'demo'],
    ],
  );

  now = new Date(now.getTime() + 6 * 60_000); // past the five-minute window: a new Event
  await recorder.warning(cluster, 'PrimaryFailed', 'instance 0 stopped answering');
  got = await events('ev');
  assert.deepEqual(got.filter((e) => e.reason === 'PrimaryFailed').map((e) => e.count).sort(), [1, 3]);
  assert.deepEqual(errors, []);
});

test('long messages are cut to 1 KiB; failures never reach the caller', async () => {
  const errors: string[] = [];
  const recorder = new EventRecorder(ctx.server.kubeconfig, { component: 'ordinal-operator', onError: (m) => errors.push(m) });
  await recorder.normal(cluster, 'Long', 'é'.repeat(2000));
  const long = (await events('ev')).find((e) => e.reason === 'Long')!;
  assert.ok(Buffer.byteLength(long.message) <= 1024, `${Buffer.byteLength(long.message)} bytes`);
  assert.ok(long.message.endsWith('…'));

  // The namespace does not exist: the write fails, record() still resolves and reports it.
  await recorder.warning({ ...cluster, namespace: 'no-such-ns' }, 'Lost', 'x');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /event Lost on MySQLCluster demo: .*404/);
});

test('truncateUtf8 cuts on character boundaries', () => {
  assert.equal(truncateUtf8('short', 1024), 'short');
  const cut = truncateUtf8('😀'.repeat(10), 10); // 4 bytes each; the ellipsis takes 3
  assert.equal(cut, '😀…');
  assert.ok(Buffer.byteLength(cut) <= 10);
});
