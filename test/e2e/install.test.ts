// E2E: the install bundle as a user applies it. The operator runs in the cluster (the image's
// Ordinal, two replicas under leader election, the least-privilege service account, the API
// server through the `kubernetes` Service) and drives a MySQLCluster.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { IMAGE, KubeCluster, OPERATOR_NAMESPACE, ROOT, kubectl, kubectlJson, kubectlOk, leaseHolder, waitFor } from './harness.js';

const exec = promisify(execFile);
const c = new KubeCluster('incluster', 'e2e-install');

after(async () => {
  // The other files run their own operator processes: the Deployment must not outlive this one.
  await kubectl(['-n', OPERATOR_NAMESPACE, 'delete', 'deployment', 'ordinal-operator', '--wait=true', '--timeout=120s']);
  await kubectl(['delete', 'namespace', c.namespace, '--wait=true', '--timeout=120s']);
});

test('the install bundle runs two operators in the cluster; the leader drives a MySQLCluster', async () => {
  const bundle = (await exec(process.execPath, [join(ROOT, 'bin/ordinal.js'), 'manifests', 'install', '--image', IMAGE])).stdout;
  await kubectlOk(['apply', '-f', '-'], bundle);
  await kubectlOk(['-n', OPERATOR_NAMESPACE, 'rollout', 'status', 'deployment/ordinal-operator', '--timeout=180s']);
  const pods = (await kubectlJson(['-n', OPERATOR_NAMESPACE, 'get', 'pods', '-l', 'app.kubernetes.io/component=operator'])).items;
  assert.equal(pods.length, 2);
  const names = pods.map((p: any) => p.metadata.name);
  const leader = await waitFor('an in-cluster operator to hold the Lease', async () => {
    const holder = await leaseHolder();
    return holder && names.includes(holder) ? holder : undefined;
  }, 120_000);

  await c.createNamespace();
  assert.equal((await c.apply({ replicas: 1, storage: { size: '1Gi', storageClassName: 'standard' } })).code, 0);
  const s = await c.healthy(1);
  assert.equal(s.primary, 0);
  // The leader's metrics say so; the standby is Ready too (readiness does not need the Lease).
  const leaderPod = pods.find((p: any) => p.metadata.name === leader);
  const metrics = await fetch(`http://${leaderPod.status.podIP}:8080/metrics`).then((r) => r.text());
  assert.match(metrics, /^ordinal_leader 1$/m);
  assert.match(metrics, /^ordinal_reconciles_total\{result="ok"\} [1-9]/m);
  for (const p of pods) assert.ok(p.status.conditions.find((x: any) => x.type === 'Ready').status === 'True', `${p.metadata.name} is Ready`);
});
