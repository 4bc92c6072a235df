// Per-cluster and per-instance metrics, computed from the MySQLClusters' status at every scrape
// (so a standby or a restarted operator reports the same numbers as the leader): phase, primary,
// readiness, lag, errant instances, failovers and switchovers, the operation in progress, and
// for Galera the nodes' wsrep state. The durations of finished operations are observed by the
// leader's HA loop (operationEnded). Alerts and dashboards (deploy/) key on these names.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { KubeObject } from '../kube/types.js';

/** What the series are computed from: a MySQLCluster (the sandbox maps its status to this shape). */
export type ClusterMetricsSource = KubeObject & {
  spec?: { replicas?: number; mode?: string };
  status?: {
    phase?: string;
    primary?: number | null;
    failovers?: number;
    switchovers?: number;
    instances?: Array<{ ordinal: number; role: string; ready: boolean; errant: boolean; lagSeconds: number | null }>;
    ha?: { operation?: { kind: string; startedAt: number } };
    galera?: { clusterSize: number; nodes: Array<{ ordinal: number; clusterStatus?: string | null; localState?: number | null; seqno: number | null; flowControlPaused: number | null; recvQueue: number | null }> };
  };
};

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const SERIES = [
  'info', 'phase', 'replicas', 'readyInstances', 'hasPrimary', 'primary', 'failovers', 'switchovers', 'operation', 'operationSeconds',
  'instanceReady', 'instanceRole', 'instanceLag', 'instanceErrant',
  'galeraSize', 'galeraPrimary', 'galeraSynced', 'galeraSeqno', 'galeraFlowControl', 'galeraRecvQueue',
] as const;

export type ClusterSeries = Record<(typeof SERIES)[number], Sample[]>;

/** PURE: every series of every cluster with a status, at time `now` (ms). */
export function clusterSeries(clusters: ClusterMetricsSource[], now: number): ClusterSeries {
  const out = Object.fromEntries(SERIES.map((k) => [k, []])) as unknown as ClusterSeries;
  for (const c of clusters) {
    const s = c.status;
    if (!s || !c.metadata?.name) continue;
    const base = { namespace: c.metadata.namespace ?? 'default', cluster: c.metadata.name };
    const add = (k: keyof ClusterSeries, value: number | null | undefined, labels: Record<string, string> = {}) => {
      if (value !== null && value !== undefined && Number.isFinite(value)) out[k].push({ labels: { ...base, ...labels }, value });
    };
    const mode = c.spec?.mode ?? 'primaryReplica';
    add('info', 1, { mode });
    add('phase', 1, { phase: s.phase ?? 'Unknown' });
    add('replicas', c.spec?.replicas);
    const instances = s.instances ?? [];
    add('readyInstances', instances.filter((i) => i.ready).length);
    // A cluster that was never refused or created has no primary yet either: Creating says so.
    add('hasPrimary', s.primary === null || s.primary === undefined ? 0 : 1);
    add('primary', s.primary);
    add('failovers', s.failovers ?? 0);
    add('switchovers', s.switchovers ?? 0);
    const op = s.ha?.operation;
    if (op) {
      add('operation', 1, { kind: op.kind });
      add('operationSeconds', (now - op.startedAt) / 1000, { kind: op.kind });
    }
    for (const i of instances) {
      const o = { ordinal: String(i.ordinal) };
      add('instanceReady', Number(i.ready), o);
      add('instanceRole', 1, { ...o, role: i.role });
      add('instanceLag', i.lagSeconds, o);
      add('instanceErrant', Number(i.errant), o);
    }
    if (s.galera) {
      add('galeraSize', s.galera.clusterSize);
      for (const n of s.galera.nodes) {
        const o = { ordinal: String(n.ordinal) };
        add('galeraPrimary', Number(n.clusterStatus === 'Primary'), o);
        add('galeraSynced', Number(n.localState === 4), o);
        add('galeraSeqno', n.seqno, o);
        add('galeraFlowControl', n.flowControlPaused, o);
        add('galeraRecvQueue', n.recvQueue, o);
      }
    }
  }
  return out;
}

const operationDuration = (registry: Registry) => new Histogram({
  name: 'ordinal_operation_duration_seconds',
  help: 'how long finished failovers and switchovers took, from their start to the new primary taking writes',
  labelNames: ['namespace', 'cluster', 'kind'],
  buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  registers: [registry],
});
let durations: Histogram | undefined;

/** The leader's HA loop saw an operation end: how long it took. */
export function operationEnded(namespace: string, cluster: string, kind: string, seconds: number): void {
  durations?.observe({ namespace, cluster, kind }, seconds);
}

export function registerClusterMetrics(registry: Registry, clusters: () => KubeObject[]): void {
  durations = operationDuration(registry);
  let cached: { at: number; series: ClusterSeries } | undefined;
  // One computation per scrape: every collector below reads the same series.
  const series = () => {
    const now = Date.now();
    if (!cached || now - cached.at > 1000) cached = { at: now, series: clusterSeries(clusters() as ClusterMetricsSource[], now) };
    return cached.series;
  };
  const gauge = (name: string, help: string, key: keyof ClusterSeries, labels: string[] = []) => new Gauge({
    name, help, labelNames: ['namespace', 'cluster', ...labels], registers: [registry],
    collect(this: Gauge) {
      this.reset();
      for (const s of series()[key]) this.set(s.labels, s.value);
    },
  });
  const counter = (name: string, help: string, key: keyof ClusterSeries) => new Counter({
    name, help, labelNames: ['namespace', 'cluster'], registers: [registry],
    collect(this: Counter) {
      this.reset();
      for (const s of series()[key]) this.inc(s.labels, s.value);
    },
  });
  gauge('ordinal_cluster_info', 'one series per MySQLCluster, with its mode', 'info', ['mode']);
  gauge('ordinal_cluster_phase', '1 for the phase the cluster is in', 'phase', ['phase']);
  gauge('ordinal_cluster_replicas', 'spec.replicas', 'replicas');
  gauge('ordinal_cluster_ready_instances', 'instances ready (a healthy replica, the writable primary, a synced Galera node)', 'readyInstances');
  gauge('ordinal_cluster_has_primary', '1 while a primary (Galera: a write node) is recorded', 'hasPrimary');
  gauge('ordinal_cluster_primary_ordinal', 'the ordinal of the primary (Galera: the write node)', 'primary');
  counter('ordinal_cluster_failovers_total', 'failovers (Galera: write node moves that nobody asked for)', 'failovers');
  counter('ordinal_cluster_switchovers_total', 'switchovers asked for', 'switchovers');
  gauge('ordinal_cluster_operation', '1 while a failover or switchover is in progress', 'operation', ['kind']);
  gauge('ordinal_cluster_operation_seconds', 'how long the operation in progress has run', 'operationSeconds', ['kind']);
  gauge('ordinal_instance_ready', '1 while the instance is routed (a healthy replica, the writable primary, a synced Galera node)', 'instanceReady', ['ordinal']);
  gauge('ordinal_instance_role', '1 for the instance\'s role (primary, replica, unknown)', 'instanceRole', ['ordinal', 'role']);
  gauge('ordinal_instance_lag_seconds', 'a replica\'s Seconds_Behind_Master', 'instanceLag', ['ordinal']);
  gauge('ordinal_instance_errant', '1 while the instance is quarantined for errant transactions', 'instanceErrant', ['ordinal']);
  gauge('ordinal_galera_cluster_size', 'nodes in the Primary component', 'galeraSize');
  gauge('ordinal_galera_node_primary', '1 while the node is in the Primary component', 'galeraPrimary', ['ordinal']);
  gauge('ordinal_galera_node_synced', '1 while the node is Synced', 'galeraSynced', ['ordinal']);
  gauge('ordinal_galera_node_seqno', 'the node\'s last committed seqno', 'galeraSeqno', ['ordinal']);
  gauge('ordinal_galera_node_flow_control_paused', 'fraction of time paused by flow control since the last look', 'galeraFlowControl', ['ordinal']);
  gauge('ordinal_galera_node_recv_queue', 'write-sets waiting to be applied', 'galeraRecvQueue', ['ordinal']);
}
