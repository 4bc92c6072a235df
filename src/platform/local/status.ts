// The status document of `ordinal local status -o json`, as a running supervisor builds it.
import type { MySQLCluster } from '../../api/cluster.js';
import type { ClusterLoop } from '../../clustering/loop.js';
import type { Routes } from '../../clustering/routing.js';
import type { GaleraNodeState } from '../../galera/loop.js';
import type { InstanceSummary } from '../../clustering/summary.js';
import type { ClusterState } from '../../clustering/types.js';
import type { ArchiveStatus } from '../../backup/archiver.js';
import type { LocalBackupSchedule, ScheduleStatus } from './backup-schedule.js';
import type { Fleet } from './fleet.js';
import type { LocalArchiver } from './pitr.js';
import type { LocalPlatform } from './platform.js';
import type { Ports } from './ports.js';
import type { ClusterSecrets } from './secrets.js';

/** The HA loop's view of an instance plus what the sandbox knows about its process. */
export interface InstanceStatus extends Omit<InstanceSummary, 'role'> {
  /** primary, replica or unknown; with Galera, writer (takes the write endpoint) or node. */
  role: InstanceSummary['role'] | 'writer' | 'node';
  pid: number | null;
  port: number;
  provisioning?: { what: string; bytes?: number };
  /** spec.mode galera: the node's wsrep state. */
  galera?: GaleraNodeState;
}

export interface LocalStatus {
  name: string;
  /** Absent: primaryReplica. */
  mode?: 'galera';
  phase: string;
  /** The primary; with Galera, the write node. */
  primary: number | null;
  endpoints: { readWrite: string; readOnly: string; readWriteAll?: string };
  credentials: { user: string; database: string; passwordFile: string };
  instances: InstanceStatus[];
  failovers: number;
  /** Failovers that promoted the failed primary itself again (after a crash of every instance, say). */
  recoveries: number;
  switchovers: number;
  message?: string;
  /** When the HA loop last looked at every instance (ISO time); absent while it has not yet. */
  observedAt?: string;
  routes: Routes;
  events: Array<{ time: string; type: string; reason: string; message: string }>;
  /** `metrics`: where the supervisor serves Prometheus metrics (also in $ORDINAL_HOME/prometheus/NAME.json). */
  supervisor: { pid: number | null; running: boolean; metrics?: string };
  /** Point-in-time recovery, when spec.pitr is set: where the binary logs go and how far they are. */
  pitr?: ArchiveStatus & { location: string };
  /** spec.backupSchedule: last and next run. */
  backupSchedule?: ScheduleStatus;
  /** spec.mode galera: the write node, the Primary component's size, the recovery plan's kind. */
  galera?: { writer: number | null; clusterSize: number; plan: string; lastBootstrap?: { ordinal: number; why: string; at: string } };
}

/** Where clients connect: the two endpoints' addresses. */
export function endpointsOf(ports: Ports): LocalStatus['endpoints'] {
  return {
    readWrite: `127.0.0.1:${ports.readWrite}`,
    readOnly: `127.0.0.1:${ports.readOnly}`,
    ...(ports.readWriteAll ? { readWriteAll: `127.0.0.1:${ports.readWriteAll}` } : {}),
  };
}

export function buildStatus(
  cluster: MySQLCluster,
  ports: Ports,
  secrets: ClusterSecrets,
  state: ClusterState,
  fleet: Fleet,
  platform: LocalPlatform,
  loop: ClusterLoop,
  pitr?: LocalArchiver,
  schedule?: LocalBackupSchedule,
): LocalStatus {
  const summary = loop.summary();
  const byOrdinal = new Map(summary?.instances.map((i) => [i.ordinal, i]));
  return {
    name: cluster.metadata.name,
    phase: summary?.phase ?? 'Creating',
    primary: state.primary,
    endpoints: endpointsOf(ports),
    credentials: { user: secrets.app.user, database: secrets.app.database, passwordFile: secrets.app.passwordFile },
    instances: fleet.ordinals().map((o) => {
      const s = byOrdinal.get(o);
      return {
        ordinal: o,
        pid: fleet.pid(o) ?? null,
        port: fleet.port(o),
        role: s?.role ?? 'unknown',
        ready: s?.ready ?? false,
        readOnly: s?.readOnly ?? null,
        errant: s?.errant ?? !!state.quarantined[o],
        reachable: s?.reachable ?? false,
        lagSeconds: s?.lagSeconds ?? null,
        gtid: s?.gtid,
        message: s?.message,
        provisioning: fleet.provisioning(o),
      };
    }),
    failovers: state.failovers,
    recoveries: state.recoveries,
    switchovers: state.switchovers,
    message: summary?.message,
    observedAt: summary ? new Date(summary.observedAt).toISOString() : undefined,
    routes: platform.routes,
    events: platform.events.slice(-20),
    supervisor: { pid: process.pid, running: true },
    ...(pitr ? { pitr: { location: pitr.where, ...pitr.archiver.status() } } : {}),
    ...(schedule ? { backupSchedule: schedule.status() } : {}),
  };
}
