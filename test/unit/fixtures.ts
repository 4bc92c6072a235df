// Shared builders for the unit tests: fake ServerStatus/InstanceView objects, snapshots,
// policies, cluster states and MySQLCluster documents. Defaults describe a healthy
// three-instance cluster whose primary is instance 0 (server_id 1) at GTID 0-1-100.
import type { IoState, ReplicationStatus, ServerStatus } from '../../src/db/dialect.js';
import { parseGtidList, serverIdFor, toPosition, toState, type Gtid, type GtidPosition, type GtidState } from '../../src/db/gtid.js';
import { initialState, type ClusterState, type InstanceView, type Operation, type Policy, type Snapshot } from '../../src/clustering/types.js';
import { parseCluster } from '../../src/api/validate.js';
import type { ClusterSpec, MySQLCluster } from '../../src/api/cluster.js';

/** A logger that says nothing. */
export const quiet = { info() {}, warn() {}, error() {} };

export const NOW = 1_000_000;
export const HOST = '127.0.0.1';
export const BASE_PORT = 20000;
/** The GTID position of the healthy default cluster. */
export const HEAD = '0-1-100';

export const endpointOf = (ordinal: number) => ({ host: HOST, port: BASE_PORT + ordinal });

export function policy(over: Partial<Policy> = {}): Policy {
  return {
    replicas: 3,
    semiSync: true,
    failoverEnabled: true,
    detectionWindowMs: 4000,
    minFailoverIntervalMs: 60_000,
    maxReadLagSeconds: 30,
    ...over,
  };
}

export function clusterState(over: Partial<ClusterState> = {}): ClusterState {
  return { ...initialState(), primary: 0, epoch: 1, primaryBinlogState: HEAD, ...over };
}

export interface ReplicaOpts {
  /** Ordinal of the instance it replicates from (default 0). */
  from?: number;
  /** Overrides the source host (e.g. 'localhost'). */
  host?: string;
  io?: IoState;
  sql?: boolean;
  /** Gtid_IO_Pos; defaults to the instance's executed GTIDs. */
  received?: string;
  lag?: number | null;
  ioErrno?: number;
  ioError?: string;
  sqlError?: string;
}

export interface StatusOpts {
  readOnly?: boolean;
  /** gtid_current_pos and gtid_binlog_state both (default HEAD). */
  gtids?: string;
  /** gtid_binlog_state when it differs from `gtids`. */
  binlogState?: string;
  semiSync?: boolean;
  replica?: ReplicaOpts;
}

export function replication(o: ReplicaOpts, executed: string): ReplicationStatus {
  const source = endpointOf(o.from ?? 0);
  return {
    sourceHost: o.host ?? source.host,
    sourcePort: source.port,
    io: o.io ?? 'Yes',
    sqlRunning: o.sql ?? true,
    received: toPosition(o.received ?? executed),
    lastIoError: o.ioError ?? '',
    lastSqlError: o.sqlError ?? '',
    lastIoErrno: o.ioErrno ?? 0,
    secondsBehind: o.lag === undefined ? 0 : o.lag,
  };
}

export function serverStatus(ordinal: number, o: StatusOpts = {}): ServerStatus {
  const gtids = o.gtids ?? HEAD;
  return {
    serverId: serverIdFor(ordinal),
    readOnly: o.readOnly ?? true,
    binlogState: toState(o.binlogState ?? gtids),
    executed: toPosition(gtids),
    replication: o.replica ? replication(o.replica, gtids) : undefined,
    semiSyncPrimary: o.semiSync ?? false,
    semiSyncClients: 0,
    uptimeSeconds: 3600,
  };
}

/** A reachable instance. */
export function up(ordinal: number, o: StatusOpts = {}, extra: Partial<InstanceView> = {}): InstanceView {
  return { ordinal, endpoint: endpointOf(ordinal), processRunning: true, status: serverStatus(ordinal, o), ...extra };
}

/** A writable primary with semi-sync on (what decide() wants by default). */
export const primary = (ordinal = 0, o: StatusOpts = {}) => up(ordinal, { readOnly: false, semiSync: true, ...o });

/** A read-only replica of instance 0, running and caught up unless told otherwise. */
export const replica = (ordinal: number, r: ReplicaOpts = {}, o: StatusOpts = {}) => up(ordinal, { ...o, replica: r });

/** An unreachable instance: by default a timeout (not refused) with the process state unknown. */
export function down(ordinal: number, extra: Partial<InstanceView> = {}): InstanceView {
  return { ordinal, endpoint: endpointOf(ordinal), error: 'connect ETIMEDOUT', ...extra };
}

/** Down with nothing listening: a crashed or stopped server. */
export const refused = (ordinal: number, extra: Partial<InstanceView> = {}) =>
  down(ordinal, { refused: true, error: 'connect ECONNREFUSED', ...extra });

export function snapshot(instances: InstanceView[], now = NOW): Snapshot {
  return { now, instances };
}

/** The healthy default: primary 0, replicas 1 and 2. */
export const healthy = () => [primary(0), replica(1), replica(2)];

/** A canonical text for comparing GTID sets in assertions, independent of formatGtids. */
export function gtidSet(p: GtidPosition | GtidState | Gtid[] | string): string {
  const list = typeof p === 'string' ? parseGtidList(p) : p instanceof Map ? [...p.values()] : p;
  return list.map((g) => `${g.domain}-${g.server}-${g.seq}`).sort().join(',');
}

// ---- MySQLCluster documents -------------------------------------------------------------

export function clusterDoc(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = { name: 'demo' }) {
  return { apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata, spec: { replicas: 3, ...spec } };
}

/** A validated, defaulted spec (throws if the overrides are invalid). */
export function validSpec(spec: Record<string, unknown> = {}): ClusterSpec {
  return parseCluster(clusterDoc(spec)).spec;
}

/** A validated cluster as the reconciler sees it: demo in namespace db, uid uid-demo. */
export function validCluster(spec: Record<string, unknown> = {}): MySQLCluster {
  return parseCluster(clusterDoc(spec, { name: 'demo', namespace: 'db', uid: 'uid-demo' }));
}

// ---- Common situations --------------------------------------------------------------------

/** Replication options of a replica that lost its source (receiver retrying). */
export const LOST = { io: 'Connecting', lag: null } as const satisfies ReplicaOpts;

/** Holds 0-2-101, written on instance 1 (server_id 2), which the primary lacks. */
export const ERRANT = { gtids: '0-2-101', binlogState: '0-1-100,0-2-101' } as const satisfies StatusOpts;

export const quarantine = (...ordinals: number[]): ClusterState['quarantined'] =>
  Object.fromEntries(ordinals.map((o) => [o, { reason: 'errant transactions', errant: '0-2-101', since: 0 }]));

export const failoverOp = (): Operation => ({ kind: 'failover', from: 0, to: 1, reason: 'primary 0 is down', startedAt: NOW - 500 });
export const switchoverOp = (to = 2): Operation => ({ kind: 'switchover', from: 0, to, startedAt: NOW - 500 });
