import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Applier } from '../../src/kube/apply.js';
import { Discovery } from '../../src/kube/discovery.js';
import { Informer } from '../../src/kube/informer.js';
import { configMap, createNamespace, eventually, sleepMs, useApiServer, widgetCrd } from './fixtures.js';

const ctx = useApiServer();

test('the informer outlives watches the server closes and keeps seeing changes', async () => {
  const { kubeconfig } = ctx.server;
  await createNamespace(ctx.server, 'inf');
  const discovery = new Discovery(kubeconfig);
  const applier = new Applier(kubeconfig, discovery);
  await applier.apply(configMap('inf', 'before', { v: '1' }, { app: 'x' }));
  await applier.apply(configMap('inf', 'other-label', { v: '1' }, { app: 'y' }));

  const keys: string[] = [];
  const deletedLabels: Array<string | undefined> = [];
  const errors: unknown[] = [];
  const informer = new Informer(kubeconfig, discovery, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: 'inf',
    labelSelector: 'app=x',
    watchTimeoutSeconds: 1, // the server ends every watch after a second
    onError: (err) => errors.push(err),
  });
  informer.onChange((key, obj) => {
    keys.push(key);
    // A deleted object comes as last seen: its labels still say whose it was.
    if (!informer.get(key)) deletedLabels.push(obj.metadata?.labels?.app);
  });
  informer.start();
  await informer.synced();
  assert.equal(informer.get('inf/before')?.data && (informer.get('inf/before') as { data: { v: string } }).data.v, '1');
  assert.equal(informer.get('inf/other-label'), undefined, 'the label selector filters');
  assert.equal(informer.get('inf/before')?.metadata?.managedFields, undefined, 'a listed object is kept without its managedFields');
  assert.deepEqual(keys, ['inf/before']);

  // Several server-side closes later, changes still arrive.
  await eventually('three watches', () => informer.watchesStarted >= 3);
  await applier.apply(configMap('inf', 'before', { v: '2' }, { app: 'x' }));
  await applier.apply(configMap('inf', 'later', { v: '1' }, { app: 'x' }));
  await eventually('the update', () => (informer.get('inf/before') as { data?: { v: string } } | undefined)?.data?.v === '2');
  await eventually('the new object', () => informer.get('inf/later'));
  assert.equal(informer.get('inf/later')?.metadata?.managedFields, undefined, 'a watched object is kept without its managedFields');
  await sleepMs(2_500); // past another close
  await applier.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'inf', name: 'later' });
  await eventually('the delete', () => informer.get('inf/later') === undefined);
  assert.deepEqual(informer.list().map((o) => o.metadata?.name).sort(), ['before']);
  assert.ok(keys.includes('inf/later'));
  assert.deepEqual(deletedLabels, ['x']);
  assert.ok(informer.watchesStarted >= 4, `watches: ${informer.watchesStarted}`);
  assert.deepEqual(errors, [], 'a server-side close is not an error');

  const watches = informer.watchesStarted;
  await informer.stop();
  await sleepMs(1_500);
  assert.equal(informer.watchesStarted, watches, 'a stopped informer does not restart');
});

test('the informer retries through errors: a kind that is not served yet syncs once its CRD arrives', async () => {
  const { kubeconfig } = ctx.server;
  const discovery = new Discovery(kubeconfig);
  const errors: unknown[] = [];
  const informer = new Informer(kubeconfig, discovery, {
    apiVersion: 'test.ordinal.dev/v1',
    kind: 'Widget',
    backoff: { baseMs: 100, maxMs: 1_000 },
    onError: (err) => errors.push(err),
  });
  informer.start();
  await eventually('a reported failure', () => errors.length >= 2);
  assert.equal(informer.hasSynced(), false);

  const applier = new Applier(kubeconfig, discovery);
  await applier.apply(widgetCrd());
  await eventually('the CRD established', async () => {
    discovery.invalidate();
    return discovery.serves('test.ordinal.dev/v1', 'Widget');
  });
  await informer.synced();
  await createNamespace(ctx.server, 'widgets');
  await eventually('a widget can be created', async () => {
    try {
      return await applier.apply({ apiVersion: 'test.ordinal.dev/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'widgets' }, spec: { size: 1 } });
    } catch {
      return undefined;
    }
  });
  await eventually('the widget in the cache', () => informer.get('widgets/w1'));
  await informer.stop();
});

test('stop before the first sync rejects synced() and ends the loop', async () => {
  const { kubeconfig } = ctx.server;
  const informer = new Informer(kubeconfig, new Discovery(kubeconfig), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
  });
  // Not started: stop must still settle synced() instead of leaving waiters hanging.
  await informer.stop();
  await assert.rejects(informer.synced(), /stopped before it synced/);
});
