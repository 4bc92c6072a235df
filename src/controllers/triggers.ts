// PURE: which changes call for a reconcile. The operator's own status writes change a
// MySQLCluster's resourceVersion too; reconciling on them made every status patch cost a
// reconcile. A reconcile follows the spec (generation), requests (annotations), deletion,
// and what a person reads in the status as the HA loop summarizes it.
import type { ClusterSummary } from '../clustering/summary.js';
import type { KubeObject } from '../kube/types.js';

/** What of a MySQLCluster a reconcile acts on; '' when it is gone. */
export function clusterTrigger(o: KubeObject | undefined): string {
  if (!o) return '';
  const m = o.metadata ?? {};
  return JSON.stringify([m.uid, m.generation, m.annotations ?? {}, m.deletionTimestamp ?? null]);
}

/**
 * The summary as the status shows it, with replication lag in coarse steps: under writes
 * the lag moves between 0 and 1 s all the time, and that alone is no reason to write. The
 * observation time changes every tick and is not in the status.
 */
export function summaryTrigger(s: ClusterSummary | undefined): string {
  if (!s) return '';
  const lag = (l: number | null) => (l === null ? null : l < 5 ? 0 : l < 60 ? 1 : 2);
  const { observedAt: _each, ...shown } = s;
  return JSON.stringify({ ...shown, instances: s.instances.map((i) => ({ ...i, lagSeconds: lag(i.lagSeconds) })) });
}
