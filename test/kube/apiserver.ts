// An envtest-style control plane for tests: etcd and kube-apiserver only (no kubelet, no
// controllers), on free loopback ports, in a temp dir, stopped by PID.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const KUBE_BIN = process.env.ORDINAL_KUBE_BIN ?? '/var/cache/ordinal-e2e/kube/bin';
const ETCD = process.env.ORDINAL_ETCD ?? '/usr/bin/etcd';

export interface TestApiServer {
  kubeconfig: KubeConfig;
  /** A kubeconfig file (mode 0600) for the same admin. */
  kubeconfigPath: string;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startApiServer(): Promise<TestApiServer> {
  const apiserverBin = join(KUBE_BIN, 'kube-apiserver');
  if (!existsSync(apiserverBin)) throw new Error(`no ${apiserverBin}: build it with e2e/cluster (or set ORDINAL_KUBE_BIN)`);
  if (!existsSync(ETCD)) throw new Error(`no ${ETCD}: apt-get install -y etcd-server`);

  const dir = await mkdtemp(join(tmpdir(), 'ordinal-apiserver-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [etcdPort, peerPort, securePort] = await freePorts(3);
    children.push(
      launch(ETCD, [
        `--name=default`,
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      ], join(dir, 'etcd.log')),
    );

    const token = randomBytes(24).toString('hex');
    await writeFile(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    execFileSync('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048'], { stdio: 'ignore' });
    const certDir = join(dir, 'certs');
    children.push(
      launch(apiserverBin, [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        `--bind-address=127.0.0.1`,
        `--advertise-address=127.0.0.1`,
        `--secure-port=${securePort}`,
        `--insecure-port=0`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        `--service-account-key-file=${join(dir, 'sa.key')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--authorization-mode=RBAC`,
        `--service-cluster-ip-range=10.96.0.0/16`,
        `--allow-privileged=true`,
      ], join(dir, 'apiserver.log')),
    );

    const url = `https://127.0.0.1:${securePort}`;
    const caFile = join(certDir, 'apiserver.crt');
    await waitReady(url, caFile, token, children, dir);

    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromOptions({
      clusters: [{ name: 'test', server: url, caData: (await readFile(caFile)).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'admin', token }],
      contexts: [{ name: 'test', cluster: 'test', user: 'admin', namespace: 'default' }],
      currentContext: 'test',
    });
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig.exportConfig(), { mode: 0o600 });
    return { kubeconfig, kubeconfigPath, url, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function launch(bin: string, args: string[], logFile: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const killOnExit = () => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit); // a crashed test run must not leave daemons behind
  child.once('exit', () => process.off('exit', killOnExit));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function waitReady(url: string, caFile: string, token: string, children: ChildProcess[], dir: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new Error(`${dead.spawnfile} exited early (code ${dead.exitCode}); ${logTail(dir)}`);
    if (existsSync(caFile) && (await readyz(url, caFile, token))) return;
    if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 120 s; ${logTail(dir)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function readyz(url: string, caFile: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/readyz`, { ca: readFileSync(caFile), headers: { Authorization: `Bearer ${token}` }, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function logTail(dir: string): string {
  const tail = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').split('\n').slice(-15).join('\n') : '');
  return `apiserver.log:\n${tail('apiserver.log')}\netcd.log:\n${tail('etcd.log')}`;
}
