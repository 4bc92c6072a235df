// The end-to-end suite's view of the real test cluster (e2e/cluster/cluster.sh up): kubectl,
// the install manifests with the operator's least-privilege service account, operator
// processes (out of cluster, leader-elected, with that account's token), and MySQLClusters
// whose instances the tests reach at their pod IPs and Service ClusterIPs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import mysql from 'mysql2/promise';
import { parseAllDocuments, stringify } from 'yaml';
import type { WriteTarget } from '../integration/writers.js';
import { sleep, waitFor } from '../wait.js';

export { sleep, waitFor };

const exec = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
export const RUN = process.env.ORDINAL_E2E_RUN ?? '/var/lib/ordinal-e2e';
export const CACHE = process.env.ORDINAL_E2E_CACHE ?? '/var/cache/ordinal-e2e';
export const ADMIN_KUBECONFIG = join(RUN, 'kubeconfig');
export const KUBECTL = join(CACHE, 'kube/bin/kubectl');
export const OPERATOR_NAMESPACE = 'ordinal-system';
export const IMAGE = 'ordinal/mariadb:dev';
const LOGS = join(RUN, 'logs', 'e2e');


export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function kubectl(args: string[], input?: string, kubeconfig = ADMIN_KUBECONFIG): Promise<Result> {
  return new Promise((resolvePromise) => {
    const child = execFile(KUBECTL, [`--kubeconfig=${kubeconfig}`, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The kubectl plugin as a person runs it: `kubectl ordinal ...`, found on the PATH (bin/kubectl-ordinal). */
export async function kubectlOrdinal(args: string[], kubeconfig = ADMIN_KUBECONFIG): Promise<Result> {
  return new Promise((resolvePromise) => {
    const env = { ...process.env, PATH: `${join(ROOT, 'bin')}:${process.env.PATH ?? ''}` };
    execFile(KUBECTL, ['ordinal', ...args, `--kubeconfig=${kubeconfig}`], { env, timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A long-running plugin command (`kubectl ordinal dashboard`), killed by the caller. */
export function spawnKubectlOrdinal(args: string[], kubeconfig = ADMIN_KUBECONFIG): ChildProcess {
  const env = { ...process.env, PATH: `${join(ROOT, 'bin')}:${process.env.PATH ?? ''}` };
  return spawn(KUBECTL, ['ordinal', ...args, `--kubeconfig=${kubeconfig}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export async function kubectlJson<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as T;
}

/**
 * CRDs, namespace and RBAC from the install bundle (not the operator Deployment: the suite runs
 * the operator processes itself), and a kubeconfig with the operator service account's token,
 * so that everything the operator does is checked against its least-privilege ClusterRole.
 */
export async function installOperatorAccess(): Promise<string> {
  const bundle = (await exec(process.execPath, [join(ROOT, 'bin/ordinal.js'), 'manifests', 'install', '--namespace', OPERATOR_NAMESPACE, '--image', IMAGE])).stdout;
  const docs = parseAllDocuments(bundle).map((d) => d.toJS()).filter((d) => d && !['Deployment', 'Service'].includes(d.kind));
  await kubectlOk(['apply', '-f', '-'], docs.map((d) => stringify(d)).join('---\n'));
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/mysqlclusters.ordinal.dev']);
  const sa = docs.find((d) => d.kind === 'ServiceAccount');
  const token = await waitFor('the operator service account token', async () => {
    const account = await kubectlJson(['-n', OPERATOR_NAMESPACE, 'get', 'serviceaccount', sa.metadata.name]);
    const secretName = account.secrets?.[0]?.name;
    if (!secretName) return undefined;
    const secret = await kubectlJson(['-n', OPERATOR_NAMESPACE, 'get', 'secret', secretName]);
    return secret.data?.token ? Buffer.from(secret.data.token, 'base64').toString() : undefined;
  }, 60_000);
  const admin = parseAllDocuments(readFileSync(ADMIN_KUBECONFIG, 'utf8'))[0].toJS();
  const cluster = admin.clusters[0];
  const path = join(RUN, 'operator.kubeconfig');
  const kubeconfig = {
    apiVersion: 'v1', kind: 'Config', clusters: [cluster], 'current-context': 'operator',
    contexts: [{ name: 'operator', context: { cluster: cluster.name, user: 'operator' } }],
    users: [{ name: 'operator', user: { token } }],
  };
  writeFileSync(path, stringify(kubeconfig), { mode: 0o600 });
  return path;
}

/** Who holds the operator's Lease, if anyone. */
export async function leaseHolder(): Promise<string | undefined> {
  const r = await kubectl(['-n', OPERATOR_NAMESPACE, 'get', 'lease', 'ordinal-operator', '-o', 'json']);
  if (r.code !== 0) return undefined;
  return JSON.parse(r.stdout).spec?.holderIdentity || undefined;
}

/** Operator processes, each with a log file; the leader is whoever holds the Lease. */
export class Operators {
  private readonly procs = new Map<string, ChildProcess>();

  constructor(private readonly kubeconfig: string) {
    mkdirSync(LOGS, { recursive: true });
  }

  start(identity: string, env: Record<string, string> = {}): ChildProcess {
    const out = openSync(join(LOGS, `operator-${identity}.log`), 'a');
    const child = spawn(process.execPath, [
      join(ROOT, 'bin/ordinal.js'), 'operator', `--kubeconfig=${this.kubeconfig}`, '--leader-elect', `--identity=${identity}`,
      `--lease-namespace=${OPERATOR_NAMESPACE}`, '--health-port=0', `--image=${IMAGE}`,
    ], { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
    closeSync(out);
    this.procs.set(identity, child);
    child.once('exit', () => this.procs.delete(identity));
    return child;
  }

  running(identity: string): boolean {
    return this.procs.has(identity);
  }

  /** The port of a running operator's /metrics, from its last start in the log. */
  async metricsPort(identity: string): Promise<number | undefined> {
    const started = this.log(identity).split('\n').filter((l) => l.includes('"operator started"')).pop();
    return (started && (JSON.parse(started) as { healthPort?: number }).healthPort) || undefined;
  }

  /** One series of a running operator's /metrics. */
  async metric(identity: string, name: string, labels: Record<string, string>): Promise<number | undefined> {
    const port = await this.metricsPort(identity);
    if (!port) return undefined;
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  /** Stopped by a signal (SIGSTOP): state T in /proc. */
  stalled(identity: string): boolean {
    const pid = this.procs.get(identity)?.pid;
    if (!pid) return false;
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').startsWith('T');
    } catch {
      return false;
    }
  }

  signal(identity: string, signal: NodeJS.Signals): void {
    this.procs.get(identity)?.kill(signal);
  }

  async kill(identity: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(identity);
    if (!p) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  }

  async exited(identity: string, timeoutMs: number): Promise<void> {
    const p = this.procs.get(identity);
    if (!p) return;
    await waitFor(`operator ${identity} to exit`, async () => (this.procs.has(identity) ? undefined : true), timeoutMs);
  }

  leader(): Promise<string | undefined> {
    return leaseHolder();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((id) => this.kill(id, 'SIGTERM')));
  }

  log(identity: string): string {
    const f = join(LOGS, `operator-${identity}.log`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }
}

export interface ClusterStatusView {
  phase?: string;
  primary?: number | null;
  ready?: string;
  message?: string;
  failovers?: number;
  switchovers?: number;
  observedGeneration?: number;
  instances?: Array<{ ordinal: number; role: string; ready: boolean; readOnly: boolean | null; errant: boolean }>;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  ha?: { primary: number | null; operation?: unknown };
}

/** One MySQLCluster in a namespace of its own. */
export class KubeCluster implements WriteTarget {
  readonly background = new Set<{ stop(): Promise<unknown> }>();
  private passwords?: Record<string, string>;

  constructor(readonly name: string, readonly namespace: string) {}

  doc(spec: Record<string, unknown>): Record<string, unknown> {
    return { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: this.name, namespace: this.namespace }, spec };
  }

  async createNamespace(): Promise<void> {
    await kubectlOk(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } }));
  }

  apply(spec: Record<string, unknown>): Promise<Result> {
    return kubectl(['apply', '-f', '-'], stringify(this.doc(spec)));
  }

  async get(): Promise<{ metadata: { generation: number; uid: string; annotations?: Record<string, string> }; spec: Record<string, any>; status?: ClusterStatusView }> {
    return kubectlJson(['-n', this.namespace, 'get', 'mysqlcluster', this.name]);
  }

  async status(): Promise<ClusterStatusView> {
    return (await this.get()).status ?? {};
  }

  /** Healthy: every instance ready, the given number of them, and the status up to date. */
  async healthy(replicas: number, timeoutMs = 300_000): Promise<ClusterStatusView> {
    return waitFor(`${this.name} healthy with ${replicas} instance(s)`, async () => {
      const c = await this.get();
      const s = c.status;
      // No operation in status.ha: a status written before an operation started can look healthy.
      const ok = s?.phase === 'Running' && s.ready === `${replicas}/${replicas}` && s.observedGeneration === c.metadata.generation &&
        s.instances?.length === replicas && !s.ha?.operation && s.ha?.primary === s.primary;
      return ok ? s : undefined;
    }, timeoutMs, () => this.describe());
  }

  async describe(): Promise<string> {
    const s = await kubectl(['-n', this.namespace, 'get', 'mysqlcluster,pods,pvc,svc', '-o', 'wide']);
    const status = await kubectl(['-n', this.namespace, 'get', 'mysqlcluster', this.name, '-o', 'jsonpath={.status}']);
    const events = await kubectl(['-n', this.namespace, 'get', 'events', '--sort-by=.lastTimestamp']);
    return `${s.stdout}\nstatus: ${status.stdout}\n${events.stdout.split('\n').slice(-25).join('\n')}`;
  }

  async pods(): Promise<Array<{ metadata: { name: string; uid: string; labels: Record<string, string>; creationTimestamp: string; deletionTimestamp?: string }; status: any; spec: any }>> {
    return (await kubectlJson(['-n', this.namespace, 'get', 'pods', '-l', `ordinal.dev/cluster=${this.name}`])).items;
  }

  async pod(ordinal: number) {
    return (await this.pods()).find((p) => p.metadata.name === `${this.name}-${ordinal}`);
  }

  async secret(key: string): Promise<string> {
    this.passwords ??= Object.fromEntries(Object.entries((await kubectlJson(['-n', this.namespace, 'get', 'secret', `${this.name}-secrets`])).data as Record<string, string>)
      .map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    return this.passwords[key];
  }

  async serviceIp(suffix: 'primary' | 'replicas' | 'read'): Promise<string> {
    return (await kubectlJson(['-n', this.namespace, 'get', 'service', `${this.name}-${suffix}`])).spec.clusterIP;
  }

  async endpointsOf(suffix: 'primary' | 'replicas' | 'read'): Promise<string[]> {
    const e = await kubectlJson(['-n', this.namespace, 'get', 'endpoints', `${this.name}-${suffix}`]);
    return (e.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
  }

  /** The application account through a Service's ClusterIP (read-write: NAME-primary). */
  async app(suffix: 'primary' | 'replicas' | 'read' = 'primary'): Promise<mysql.Connection> {
    return mysql.createConnection({ host: await this.serviceIp(suffix), port: 3306, user: 'app', password: await this.secret('app'), database: 'app', connectTimeout: 3000 });
  }

  async instanceConnection(ordinal: number): Promise<mysql.Connection> {
    const pod = await this.pod(ordinal);
    if (!pod?.status?.podIP) throw new Error(`pod ${this.name}-${ordinal} has no IP`);
    return mysql.createConnection({ host: pod.status.podIP, port: 3306, user: 'ordinal', password: await this.secret('operator'), connectTimeout: 3000 });
  }

  async instanceQuery<T = any>(ordinal: number, sql: string, params: unknown[] = []): Promise<T[]> {
    const c = await this.instanceConnection(ordinal);
    try {
      const [rows] = await c.query({ sql, values: params, timeout: 60_000 });
      return rows as T[];
    } finally {
      c.destroy();
    }
  }

  async events(): Promise<Array<{ reason: string; message: string; type: string; reportingInstance?: string; count?: number; lastTimestamp?: string }>> {
    return (await kubectlJson(['-n', this.namespace, 'get', 'events', '--field-selector', `involvedObject.name=${this.name},involvedObject.kind=MySQLCluster`])).items;
  }

  async stopBackground(): Promise<void> {
    await Promise.all([...this.background].map((b) => b.stop()));
  }
}

/** Per test file: the operator's access installed and two leader-elected operator processes. */
export function useOperators(): { operators: () => Operators } {
  let operators: Operators | undefined;
  before(async () => {
    const kubeconfig = await installOperatorAccess();
    operators = new Operators(kubeconfig);
    operators.start('op-a');
    await waitFor('a leader', () => operators!.leader(), 60_000);
    operators.start('op-b');
  });
  after(async () => {
    await operators?.stopAll();
  });
  return { operators: () => operators! };
}

/** A cluster in a namespace of its own, deleted (with its claims) at the end of the file. */
export function useCluster(name: string, namespace: string): KubeCluster {
  const c = new KubeCluster(name, namespace);
  before(async () => {
    // The test cluster keeps its etcd and volumes across down and up: a run that was killed, or
    // kept with ORDINAL_E2E_KEEP, left this namespace with its cluster and data. Start from nothing.
    const gone = await kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=300s']);
    if (gone.code !== 0) throw new Error(`the namespace ${namespace} left by an earlier run did not go: ${gone.stderr}`);
    await c.createNamespace();
  });
  after(async () => {
    await c.stopBackground();
    if (process.env.ORDINAL_E2E_KEEP) return;
    // Not waited for: the next file's cluster is in another namespace, and a run that reuses
    // this one waits in its before hook.
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });
  return c;
}
