import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Discovery } from '../../src/kube/discovery.js';
import { useApiServer } from './fixtures.js';

const ctx = useApiServer();

test('Kubernetes 1.20 serves PodDisruptionBudget in policy/v1beta1 only', async () => {
  const discovery = new Discovery(ctx.server.kubeconfig);
  const versions = await discovery.groupVersions();
  assert.ok(versions.has('v1') && versions.has('apps/v1') && versions.has('coordination.k8s.io/v1'));
  assert.equal(await discovery.serves('policy/v1beta1', 'PodDisruptionBudget'), true);
  assert.equal(await discovery.serves('policy/v1', 'PodDisruptionBudget'), false);
  assert.equal(await discovery.preferred('PodDisruptionBudget', ['policy/v1', 'policy/v1beta1']), 'policy/v1beta1');
  assert.equal(await discovery.preferred('CronJob', ['batch/v1']), undefined, 'no batch/v1 CronJob on 1.20');
  assert.deepEqual(await discovery.resource('apps/v1', 'StatefulSet'), {
    name: 'statefulsets',
    namespaced: true,
    kind: 'StatefulSet',
    subresources: ['scale', 'status'],
  });
  assert.equal((await discovery.resource('v1', 'Namespace'))?.namespaced, false);
});

test('answers are cached: the same promise, no new request', async () => {
  const discovery = new Discovery(ctx.server.kubeconfig);
  const a = discovery.groupVersions();
  const b = discovery.groupVersions();
  assert.equal(a, b);
  await a;
  assert.equal(discovery.groupVersions(), a);
  discovery.invalidate();
  assert.notEqual(discovery.groupVersions(), a);
});
