// npm run bench:operator [-- N [idle-seconds]]: the operator against a real etcd +
// kube-apiserver (no kubelet: the pods never run) with N MySQLClusters. Prints its RSS once
// every cluster was reconciled, the reconcile latency after a spec change (p50/p99, the
// time until status.observedGeneration shows the new generation) beside the API server's
// own round trip for one PATCH + GET (the floor), and the API requests per minute per idle
// cluster (from the operator's ordinal_kube_requests_total).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startApiServer } from '../test/kube/apiserver.js';
import { customResourceDefinitions } from '../src/api/crd.js';
import { kubeRequest } from '../src/kube/request.js';
import { percentile } from '../test/integration/writers.js';

const N = Number(process.argv[2] ?? 50);
const IDLE_SECONDS = Number(process.argv[3] ?? 120);
const CHANGES = 30;
const NS = 'bench';
const ROOT = resolve(import.meta.dirname, '..');
const HEALTH_PORT = 18080;
/** The operator's environment as its Deployment sets it (BENCH_OPERATOR_ENV='K=V ...' to try others). */
const operatorEnv = () => Object.fromEntries((process.env.BENCH_OPERATOR_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clusterPath = (name = '') => `/apis/ordinal.dev/v1alpha1/namespaces/${NS}/mysqlclusters${name ? `/${name}` : ''}`;

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' }); // the operator runs from dist/
const server = await startApiServer();
const kc = server.kubeconfig;
const operator = spawn(process.execPath, [join(ROOT, 'bin/ordinal.js'), 'operator', `--kubeconfig=${server.kubeconfigPath}`, `--health-port=${HEALTH_PORT}`, '--image=bench/none'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...operatorEnv() } });
try {
  for (const crd of customResourceDefinitions()) await kubeRequest(kc, { method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: crd });
  await until('the CRDs to be served', async () => kubeRequest(kc, { method: 'GET', path: clusterPath().replace(`/namespaces/${NS}`, '') }).then(() => true, () => false), 60_000);
  await kubeRequest(kc, { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });

  const started = Date.now();
  const names = Array.from({ length: N }, (_, i) => `c${i}`);
  for (let i = 0; i < N; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((name) => kubeRequest(kc, {
      method: 'POST', path: clusterPath(),
      body: { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name, namespace: NS }, spec: { replicas: 3, storage: { size: '1Gi' } } },
    })));
  }
  await until(`${N} clusters reconciled`, async () => (await reconciled()) === N, 30 * 60_000);
  const firstPass = (Date.now() - started) / 1000;
  await sleep(10_000); // settle: the first HA ticks and their status writes
  const rss = rssMb(operator.pid!);

  // Idle: nothing changes; what does the operator still ask the API server?
  const before = await requestCount();
  await sleep(IDLE_SECONDS * 1000);
  const idlePerMin = ((await requestCount()) - before) / (IDLE_SECONDS / 60) / N;
  // After the idle window the first pass's garbage is collected: what the operator keeps.
  const rssIdle = rssMb(operator.pid!);
  const heapUsed = (await metric('nodejs_heap_size_used_bytes')) / 2 ** 20;
  const heapTotal = (await metric('nodejs_heap_size_total_bytes')) / 2 ** 20;
  const external = (await metric('nodejs_external_memory_bytes')) / 2 ** 20;

  // Reconcile latency after a spec change, one cluster at a time, beside the raw round trip.
  const latencies: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const name = names[(i * 7) % N];
    const t0 = performance.now();
    const patched = await kubeRequest<{ metadata: { generation: number } }>(kc, {
      method: 'PATCH', path: clusterPath(name), contentType: 'application/merge-patch+json',
      body: { spec: { failover: { minIntervalSeconds: 60 + i } } },
    });
    await kubeRequest(kc, { method: 'GET', path: clusterPath(name) });
    floor.push(performance.now() - t0);
    for (;;) {
      const c = await kubeRequest<{ status?: { observedGeneration?: number } }>(kc, { method: 'GET', path: clusterPath(name) });
      if ((c.status?.observedGeneration ?? 0) >= patched.metadata.generation) break;
      await sleep(5);
    }
    latencies.push(performance.now() - t0);
  }

  console.log(`\nbench:operator on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}; Node ${process.version}`);
  console.log(`clusters: ${N}; all reconciled ${firstPass.toFixed(1)} s after creation`);
  console.log(`operator RSS: ${rss.toFixed(0)} MB 10 s after the first pass, ${rssIdle.toFixed(0)} MB after the idle window (V8 heap ${heapUsed.toFixed(0)} MB in use of ${heapTotal.toFixed(0)} MB, external ${external.toFixed(0)} MB)`);
  console.log(`reconcile after a spec change (${CHANGES} changes): p50 ${percentile(latencies, 50).toFixed(0)} ms  p99 ${percentile(latencies, 99).toFixed(0)} ms   (API server PATCH+GET alone: p50 ${percentile(floor, 50).toFixed(0)} ms)`);
  console.log(`API requests per idle cluster: ${idlePerMin.toFixed(2)} per minute (over ${IDLE_SECONDS} s)`);
} finally {
  operator.kill('SIGTERM');
  await new Promise((r) => operator.once('exit', r));
  await server.stop();
}

async function reconciled(): Promise<number> {
  const list = await kubeRequest<{ items: Array<{ metadata: { generation: number }; status?: { observedGeneration?: number } }> }>(kc, { method: 'GET', path: clusterPath() });
  return list.items.filter((c) => c.status?.observedGeneration === c.metadata.generation).length;
}

async function requestCount(): Promise<number> {
  return metric('ordinal_kube_requests_total{');
}

/** The sum of a metric's series on the operator's /metrics. */
async function metric(prefix: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${HEALTH_PORT}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(prefix) && !l.startsWith('#')).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}
