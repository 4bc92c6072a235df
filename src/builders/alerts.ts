// Prometheus alert rules for Ordinal clusters, on the operator's own series
// (controllers/cluster-metrics.ts, backup-metrics.ts). One source for both forms under
// deploy/prometheus/: a plain rules file (prometheus --config, promtool) and a PrometheusRule
// for the Prometheus Operator. Each alert has a promtool unit test in
// deploy/prometheus/rules.test.yaml, run by test/unit/alerts.test.ts.
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string };
}

const by = '{{ $labels.namespace }}/{{ $labels.cluster }}';

export const ALERTS: AlertRule[] = [
  {
    alert: 'OrdinalPrimaryMissing',
    expr: 'ordinal_cluster_has_primary == 0 and on(namespace, cluster) ordinal_cluster_phase{phase!~"Creating|Refused"} == 1',
    for: '1m',
    labels: { severity: 'critical' },
    annotations: { summary: `MySQLCluster ${by} has no primary`, description: 'No instance takes writes (Galera: no write node) for a minute, outside creation. kubectl ordinal status shows why; docs/operations.md has the repairs.' },
  },
  {
    alert: 'OrdinalFailover',
    expr: 'increase(ordinal_cluster_failovers_total[10m]) > 0',
    labels: { severity: 'warning' },
    annotations: { summary: `MySQLCluster ${by} failed over`, description: 'A replica was promoted because the primary failed (Galera: the write node moved). Find out why the old primary failed: kubectl get events.' },
  },
  {
    alert: 'OrdinalReplicaLagging',
    expr: 'ordinal_instance_lag_seconds > 30',
    for: '2m',
    labels: { severity: 'warning' },
    annotations: { summary: `Instance {{ $labels.ordinal }} of ${by} lags {{ $value }} s`, description: 'The replica applies the primary\'s writes late; it is not routed for reads while it lags more than spec.failover.maxReadLagSeconds.' },
  },
  {
    alert: 'OrdinalErrantInstance',
    expr: 'ordinal_instance_errant == 1',
    labels: { severity: 'critical' },
    annotations: { summary: `Instance {{ $labels.ordinal }} of ${by} is errant`, description: 'It has transactions the primary never had and is quarantined (never routed, never promoted). Look at them, then: kubectl ordinal rebuild NAME N.' },
  },
  {
    alert: 'OrdinalBackupTooOld',
    expr: 'time() - ordinal_backup_last_success_timestamp_seconds > 26 * 3600',
    labels: { severity: 'warning' },
    annotations: { summary: `The newest backup of ${by} is {{ $value | humanizeDuration }} old`, description: 'No backup completed in the last 26 hours. Check the MySQLBackupSchedule and the newest MySQLBackup objects.' },
  },
  {
    alert: 'OrdinalBackupFailing',
    expr: 'increase(ordinal_backup_failed[1h]) > 0 or ordinal_backup_unrestorable > 0',
    labels: { severity: 'warning' },
    annotations: { summary: `Backups of ${by} fail or cannot be restored`, description: 'A MySQLBackup ended Failed, or its verification could not restore it. kubectl get myb shows which and why.' },
  },
  {
    alert: 'OrdinalArchiveBehind',
    expr: 'time() - ordinal_archive_last_recoverable_timestamp_seconds > 900 or ordinal_archive_continuous == 0',
    for: '5m',
    labels: { severity: 'warning' },
    annotations: { summary: `The binary log archive of ${by} is behind or has a gap`, description: 'Point-in-time recovery reaches less than it should. Take a backup to start a new chain after a gap; check the primary\'s agent log.' },
  },
  {
    alert: 'OrdinalGaleraNotPrimary',
    expr: 'ordinal_galera_node_primary == 0',
    for: '1m',
    labels: { severity: 'critical' },
    annotations: { summary: `Galera node {{ $labels.ordinal }} of ${by} is not in the Primary component`, description: 'It refuses queries and is not routed. If no node is Primary the cluster recovers by itself from the highest seqno; status.galera says what recovery waits for.' },
  },
];

const GROUP = 'ordinal';

/** The plain Prometheus rules file (rule_files:). */
export function rulesFile(): { groups: Array<{ name: string; rules: AlertRule[] }> } {
  return { groups: [{ name: GROUP, rules: ALERTS }] };
}

/** The same rules as a PrometheusRule of the Prometheus Operator, in the operator's namespace. */
export function prometheusRule(namespace: string) {
  const metadata = { name: 'ordinal-alerts', namespace, labels: { 'app.kubernetes.io/name': 'ordinal', 'app.kubernetes.io/component': 'alerts' } };
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata, spec: rulesFile() };
}
