// Grafana dashboards for Ordinal clusters (deploy/grafana/, written by `npm run manifests`):
// all clusters, one cluster, backups, Galera. They read the operator's series
// (controllers/cluster-metrics.ts, backup-metrics.ts) and mysqld-exporter's, scraped from each
// pod's exporter container with the `namespace` and `pod` labels that Kubernetes service
// discovery (or a PodMonitor) gives them. Every query is checked by promtool in the tests.

export interface Panel {
  title: string;
  /** PromQL, with the dashboard's variables ($namespace, $cluster). */
  expr: string;
  legend?: string;
  kind: 'timeseries' | 'stat' | 'table';
  unit?: string;
  description?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  /** Which variables it has: every dashboard picks a namespace; most a cluster. */
  perCluster: boolean;
  panels: Panel[];
}

const sel = '{namespace="$namespace", cluster="$cluster"}';
const pods = '{namespace="$namespace", pod=~"$cluster-[0-9]+"}';

export const DASHBOARDS: Dashboard[] = [
  {
    uid: 'ordinal-overview',
    title: 'Ordinal: all clusters',
    description: 'Every MySQLCluster: its phase, primary, ready instances, failovers and backups.',
    perCluster: false,
    panels: [
      { title: 'Clusters by phase', kind: 'stat', expr: 'sum by (phase) (ordinal_cluster_phase{namespace=~"$namespace"})', legend: '{{phase}}' },
      { title: 'Clusters without a primary', kind: 'stat', expr: 'count(ordinal_cluster_has_primary{namespace=~"$namespace"} == 0) or vector(0)' },
      { title: 'Ready instances', kind: 'table', expr: 'ordinal_cluster_ready_instances{namespace=~"$namespace"}', legend: '{{namespace}}/{{cluster}}' },
      { title: 'Primary', kind: 'table', expr: 'ordinal_cluster_primary_ordinal{namespace=~"$namespace"}', legend: '{{namespace}}/{{cluster}}' },
      { title: 'Failovers (1 h)', kind: 'table', expr: 'increase(ordinal_cluster_failovers_total{namespace=~"$namespace"}[1h])', legend: '{{namespace}}/{{cluster}}' },
      { title: 'Errant instances', kind: 'stat', expr: 'sum(ordinal_instance_errant{namespace=~"$namespace"}) or vector(0)' },
      { title: 'Age of the newest backup', kind: 'table', unit: 's', expr: 'time() - ordinal_backup_last_success_timestamp_seconds{namespace=~"$namespace"}', legend: '{{namespace}}/{{cluster}}' },
    ],
  },
  {
    uid: 'ordinal-cluster',
    title: 'Ordinal: one cluster',
    description: 'Topology, replication lag, operations and the server\'s own figures of one MySQLCluster.',
    perCluster: true,
    panels: [
      { title: 'Phase', kind: 'stat', expr: `ordinal_cluster_phase${sel} == 1`, legend: '{{phase}}' },
      { title: 'Primary', kind: 'stat', expr: `ordinal_cluster_primary_ordinal${sel}` },
      { title: 'Ready instances', kind: 'stat', expr: `ordinal_cluster_ready_instances${sel}` },
      { title: 'Roles', kind: 'table', expr: `ordinal_instance_role${sel} == 1`, legend: '{{ordinal}} {{role}}' },
      { title: 'Replication lag', kind: 'timeseries', unit: 's', expr: `ordinal_instance_lag_seconds${sel}`, legend: 'instance {{ordinal}}' },
      { title: 'Errant (quarantined)', kind: 'table', expr: `ordinal_instance_errant${sel}`, legend: 'instance {{ordinal}}' },
      { title: 'Failovers and switchovers', kind: 'timeseries', expr: `ordinal_cluster_failovers_total${sel} or ordinal_cluster_switchovers_total${sel}`, legend: '{{__name__}}' },
      { title: 'Operation in progress', kind: 'timeseries', unit: 's', expr: `ordinal_cluster_operation_seconds${sel}`, legend: '{{kind}}' },
      { title: 'Operation durations (p99 over an hour)', kind: 'timeseries', unit: 's', expr: `histogram_quantile(0.99, sum by (le, kind) (rate(ordinal_operation_duration_seconds_bucket${sel}[1h])))`, legend: 'p99 {{kind}}' },
      { title: 'Queries per second', kind: 'timeseries', expr: `sum by (pod) (rate(mysql_global_status_queries${pods}[1m]))`, legend: '{{pod}}' },
      { title: 'Commits per second', kind: 'timeseries', expr: 'sum by (pod) (rate(mysql_global_status_commands_total{namespace="$namespace", pod=~"$cluster-[0-9]+", command="commit"}[1m]))', legend: '{{pod}}' },
      { title: 'Connections', kind: 'timeseries', expr: `mysql_global_status_threads_connected${pods}`, legend: '{{pod}}' },
      { title: 'Semi-sync acknowledged commits', kind: 'timeseries', expr: `rate(mysql_global_status_rpl_semi_sync_master_yes_tx${pods}[1m])`, legend: '{{pod}}' },
    ],
  },
  {
    uid: 'ordinal-backups',
    title: 'Ordinal: backups',
    description: 'Backups and the binary log archive of one MySQLCluster.',
    perCluster: true,
    panels: [
      { title: 'Age of the newest backup', kind: 'stat', unit: 's', expr: `time() - ordinal_backup_last_success_timestamp_seconds${sel}` },
      { title: 'Duration of the newest backup', kind: 'stat', unit: 's', expr: `ordinal_backup_last_duration_seconds${sel}` },
      { title: 'Size of the newest backup', kind: 'stat', unit: 'bytes', expr: `ordinal_backup_last_bytes${sel}` },
      { title: 'Failed backups', kind: 'stat', expr: `ordinal_backup_failed${sel}` },
      { title: 'Unrestorable backups', kind: 'stat', expr: `ordinal_backup_unrestorable${sel}` },
      { title: 'Archive lag (restorable up to)', kind: 'timeseries', unit: 's', expr: `time() - ordinal_archive_last_recoverable_timestamp_seconds${sel}` },
      { title: 'Archive without a gap', kind: 'stat', expr: `ordinal_archive_continuous${sel}` },
    ],
  },
  {
    uid: 'ordinal-galera',
    title: 'Ordinal: Galera',
    description: 'The nodes of one Galera cluster (spec.mode galera): the Primary component, sync state, flow control.',
    perCluster: true,
    panels: [
      { title: 'Cluster size', kind: 'stat', expr: `ordinal_galera_cluster_size${sel}` },
      { title: 'Write node', kind: 'stat', expr: `ordinal_cluster_primary_ordinal${sel}` },
      { title: 'In the Primary component', kind: 'table', expr: `ordinal_galera_node_primary${sel}`, legend: 'node {{ordinal}}' },
      { title: 'Synced', kind: 'table', expr: `ordinal_galera_node_synced${sel}`, legend: 'node {{ordinal}}' },
      { title: 'Committed seqno', kind: 'timeseries', expr: `ordinal_galera_node_seqno${sel}`, legend: 'node {{ordinal}}' },
      { title: 'Flow control paused', kind: 'timeseries', unit: 'percentunit', expr: `ordinal_galera_node_flow_control_paused${sel}`, legend: 'node {{ordinal}}' },
      { title: 'Receive queue', kind: 'timeseries', expr: `ordinal_galera_node_recv_queue${sel}`, legend: 'node {{ordinal}}' },
      { title: 'Certification conflicts per second', kind: 'timeseries', expr: `sum by (pod) (rate(mysql_global_status_wsrep_local_cert_failures${pods}[1m]))`, legend: '{{pod}}' },
    ],
  },
];

/** A Grafana dashboard model (schema 37, Grafana 9+), with a Prometheus data source variable. */
export function grafanaDashboard(d: Dashboard): object {
  const variables = [
    { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' },
    query('namespace', 'label_values(ordinal_cluster_info, namespace)', !d.perCluster),
    ...(d.perCluster ? [query('cluster', 'label_values(ordinal_cluster_info{namespace="$namespace"}, cluster)', false)] : []),
  ];
  return {
    uid: d.uid,
    title: d.title,
    description: `${d.description} Generated by npm run manifests from src/builders/dashboards.ts.`,
    tags: ['ordinal', 'mariadb'],
    schemaVersion: 37,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: { list: variables },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: p.kind,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { x: (i % 3) * 8, y: Math.floor(i / 3) * 8, w: 8, h: 8 },
      fieldConfig: { defaults: { ...(p.unit ? { unit: p.unit } : {}) }, overrides: [] },
      targets: [{ refId: 'A', expr: p.expr, ...(p.legend ? { legendFormat: p.legend } : {}), ...(p.kind === 'table' ? { instant: true, format: 'table' } : {}) }],
    })),
  };
}

function query(name: string, q: string, multi: boolean) {
  return { name, type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, query: { query: q, refId: name }, refresh: 2, multi, includeAll: multi, ...(multi ? { allValue: '.*' } : {}) };
}
