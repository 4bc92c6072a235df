// The sandbox supervisor's /metrics: the operator's per-cluster and per-instance series
// (controllers/cluster-metrics.ts) and backup and archive series (backup-metrics.ts) computed
// from the sandbox's own status, namespace "sandbox".
// It listens on a free port of 127.0.0.1 and says where in a Prometheus file_sd target file,
// $ORDINAL_HOME/prometheus/NAME.json, so one scrape config finds every sandbox cluster:
//   file_sd_configs: [{files: ['~/.ordinal/prometheus/*.json']}]
import http from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { registerBackupMetrics, type ArchiveRow, type BackupSeries } from '../../controllers/backup-metrics.js';
import { registerClusterMetrics, type ClusterMetricsSource } from '../../controllers/cluster-metrics.js';
import { writeAtomic } from './files.js';
import { ordinalHome } from './paths.js';
import type { LocalStatus } from './status.js';

export const SANDBOX_NAMESPACE = 'sandbox';

/** PURE: the sandbox's status in the shape of a MySQLCluster, for the shared series. */
export function metricsSource(s: LocalStatus, replicas: number): ClusterMetricsSource {
  const galera = s.mode === 'galera';
  return {
    metadata: { name: s.name, namespace: SANDBOX_NAMESPACE },
    spec: { replicas, mode: s.mode ?? 'primaryReplica' },
    status: {
      phase: s.phase,
      primary: s.primary,
      failovers: s.failovers,
      switchovers: s.switchovers,
      // Galera's writer/node read as primary/replica, as on Kubernetes.
      instances: s.instances.map((i) => ({
        ordinal: i.ordinal,
        role: i.role === 'writer' ? 'primary' : i.role === 'node' ? (i.ready ? 'replica' : 'unknown') : i.role,
        ready: i.ready,
        errant: i.errant,
        lagSeconds: i.lagSeconds,
      })),
      ...(galera && s.galera ? { galera: { clusterSize: s.galera.clusterSize, nodes: s.instances.filter((i) => i.galera).map((i) => ({ ordinal: i.ordinal, ...i.galera! })) } } : {}),
    },
  };
}

/** PURE: the backup series from spec.backupSchedule's runs, when the cluster has a schedule. */
export function backupRows(s: LocalStatus): BackupSeries[] {
  const b = s.backupSchedule;
  if (!b) return [];
  const ok = b.lastSuccess;
  const done = ok ? Date.parse(ok.startedAt) / 1000 + ok.seconds : undefined;
  return [{
    namespace: SANDBOX_NAMESPACE,
    cluster: s.name,
    ...(ok ? { lastSuccess: done, lastDuration: ok.seconds, lastBytes: ok.bytes } : {}),
    failed: b.failedRuns,
    unrestorable: b.unrestorableRuns,
  }];
}

/** PURE: the archive series, when spec.pitr is set. */
export function archiveRows(s: LocalStatus): ArchiveRow[] {
  if (!s.pitr) return [];
  return [{
    namespace: SANDBOX_NAMESPACE,
    cluster: s.name,
    recoverable: s.pitr.lastRecoverableTime ? Date.parse(s.pitr.lastRecoverableTime) / 1000 : undefined,
    continuous: Number(s.pitr.continuous),
  }];
}

export function targetFile(name: string, home = ordinalHome()): string {
  return join(home, 'prometheus', `${name}.json`);
}

/** Serve /metrics; returns its address and a close() that also removes the target file. */
export async function serveMetrics(name: string, status: () => LocalStatus, replicas: () => number): Promise<{ address: string; close(): void }> {
  const registry = new Registry();
  registerClusterMetrics(registry, () => [metricsSource(status(), replicas())]);
  registerBackupMetrics(registry, () => backupRows(status()), () => archiveRows(status()));
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') return void res.writeHead(404).end('only GET /metrics\n');
    try {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    } catch (err) {
      res.writeHead(500).end(`${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const file = targetFile(name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeAtomic(file, `${JSON.stringify([{ targets: [address] }])}\n`);
  return {
    address,
    close: () => {
      server.close();
      rmSync(file, { force: true });
    },
  };
}
