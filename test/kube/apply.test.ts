import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Applier, NotLeadingError, refOf } from '../../src/kube/apply.js';
import { isConflict } from '../../src/kube/client.js';
import { Discovery } from '../../src/kube/discovery.js';
import { kubeRequest } from '../../src/kube/request.js';
import type { KubeObject } from '../../src/kube/types.js';
import { configMap, createNamespace, eventually, useApiServer, widgetCrd } from './fixtures.js';

const ctx = useApiServer();

test('server-side apply is idempotent and keeps fields another manager owns', async () => {
  const { kubeconfig } = ctx.server;
  await createNamespace(ctx.server, 'apply');
  const applier = new Applier(kubeconfig, new Discovery(kubeconfig));
  const desired = configMap('apply', 'cfg', { a: '1' }, { 'app.kubernetes.io/managed-by': 'ordinal' });

  const first = await applier.apply(desired);
  const second = await applier.apply(desired);
  assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion, 'no change, no new version');

  // Someone else (kubectl, another controller) owns a label and a key of their own.
  await kubeRequest(kubeconfig, {
    method: 'PATCH',
    path: '/api/v1/namespaces/apply/configmaps/cfg',
    query: { fieldManager: 'someone-else' },
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'apply', labels: { team: 'db' } }, data: { theirs: 'x' } },
    contentType: 'application/apply-patch+yaml',
  });
  const after = await applier.apply(configMap('apply', 'cfg', { a: '2' }, { 'app.kubernetes.io/managed-by': 'ordinal' }));
  const data = (after as { data?: Record<string, string> }).data;
  assert.deepEqual(data, { a: '2', theirs: 'x' });
  assert.equal(after.metadata?.labels?.team, 'db');
  const managers = (after.metadata?.managedFields as { manager: string }[]).map((m) => m.manager).sort();
  assert.deepEqual(managers, ['ordinal', 'someone-else']);

  // A key we stop sending is removed (we owned it); theirs stays.
  const dropped = await applier.apply(configMap('apply', 'cfg', {}, { 'app.kubernetes.io/managed-by': 'ordinal' }));
  assert.deepEqual((dropped as { data?: Record<string, string> }).data, { theirs: 'x' });
});

test('apply works for any served apiVersion/kind: policy/v1beta1 PodDisruptionBudget', async () => {
  const { kubeconfig } = ctx.server;
  const applier = new Applier(kubeconfig, new Discovery(kubeconfig));
  const pdb = await applier.apply({
    apiVersion: 'policy/v1beta1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'db', namespace: 'apply' },
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'ordinal.dev/cluster': 'db' } } },
  });
  assert.equal((pdb as { spec: { maxUnavailable: number } }).spec.maxUnavailable, 1);
  await assert.rejects(
    applier.apply({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'apply' } }),
    /does not serve PodDisruptionBudget in policy\/v1/,
  );
});

test('delete with a propagation policy; deleting what is gone says so', async () => {
  const { kubeconfig } = ctx.server;
  const applier = new Applier(kubeconfig, new Discovery(kubeconfig));
  const cm = await applier.apply(configMap('apply', 'doomed', { a: '1' }));
  assert.equal(await applier.delete(refOf(cm), 'Background'), true);
  assert.equal(await applier.get(refOf(cm)), undefined);
  assert.equal(await applier.delete(refOf(cm)), false);

  // Foreground: with no garbage collector running here, the object waits behind its finalizer,
  // which shows the policy reached the server.
  const fg = await applier.apply(configMap('apply', 'fg', { a: '1' }));
  assert.equal(await applier.delete(refOf(fg), 'Foreground'), true);
  const pending = await applier.get(refOf(fg));
  assert.ok(pending?.metadata?.deletionTimestamp);
  assert.deepEqual(pending?.metadata?.finalizers, ['foregroundDeletion']);
});

test('status of a custom resource through the status subresource, with optimistic concurrency', async () => {
  const { kubeconfig } = ctx.server;
  const discovery = new Discovery(kubeconfig);
  const applier = new Applier(kubeconfig, discovery);
  await applier.apply(widgetCrd());
  await eventually('the CRD served', async () => {
    discovery.invalidate();
    return discovery.serves('test.ordinal.dev/v1', 'Widget');
  });
  const ref = { apiVersion: 'test.ordinal.dev/v1', kind: 'Widget', name: 'w', namespace: 'apply' };
  const created = await eventually('the widget created', async () => {
    try {
      return await kubeRequest<KubeObject>(kubeconfig, {
        method: 'POST',
        path: '/apis/test.ordinal.dev/v1/namespaces/apply/widgets',
        body: { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: 'w', namespace: 'apply' }, spec: { size: 3 }, status: { phase: 'ignored' } },
      });
    } catch {
      return undefined;
    }
  });
  assert.equal(created.status, undefined, 'status is not written through the main resource');

  const updated = await applier.patchStatus<KubeObject>(ref, { phase: 'Ready', observed: 1 }, created.metadata?.resourceVersion);
  assert.deepEqual(updated.status, { phase: 'Ready', observed: 1 });
  assert.deepEqual(updated.spec, { size: 3 });
  // A write based on what we read before the last change is refused.
  await assert.rejects(applier.patchStatus(ref, { phase: 'Stale' }, created.metadata?.resourceVersion), (err) => isConflict(err));
  const merged = await applier.patchStatus<KubeObject>(ref, { phase: 'Degraded' });
  assert.deepEqual(merged.status, { phase: 'Degraded', observed: 1 }, 'a merge patch keeps the other fields');
  await applier.jsonPatchStatus(ref, [{ op: 'add', path: '/status', value: { phase: 'Replaced' } }]);
  assert.deepEqual((await applier.get(ref))?.status, { phase: 'Replaced' }, 'a JSON patch replaces the field whole');

  // A process that no longer leads writes nothing, whichever way it writes.
  const deposed = new Applier(kubeconfig, discovery, { mayWrite: () => false });
  await assert.rejects(deposed.jsonPatchStatus(ref, [{ op: 'add', path: '/status', value: { phase: 'Deposed' } }]), NotLeadingError);
  await assert.rejects(deposed.patchStatus(ref, { phase: 'Deposed' }), NotLeadingError);
  await assert.rejects(deposed.mergePatch(ref, { metadata: { labels: { deposed: 'yes' } } }), NotLeadingError);
  assert.deepEqual((await applier.get(ref))?.status, { phase: 'Replaced' });
});
