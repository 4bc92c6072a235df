// PURE: the next step of a rolling restart (new image or config). The StatefulSet updates
// OnDelete, so nothing restarts until this says so: one instance at a time, only while the
// cluster is otherwise healthy, replicas first (highest ordinal first), and the primary last,
// after a switchover to an updated replica so that it restarts as a replica.

export interface RolloutInstance {
  ordinal: number;
  /** Its pod runs the StatefulSet's update revision. */
  updated: boolean;
  /** A healthy replica, or the writable primary. */
  ready: boolean;
  /** Its pod exists and is not being deleted. */
  present: boolean;
}

export type RolloutStep =
  | { kind: 'done' }
  | { kind: 'wait'; reason: string }
  | { kind: 'restart'; ordinal: number }
  | { kind: 'switchover'; to: number };

export function nextRolloutStep(instances: RolloutInstance[], primary: number | null, operationInProgress: boolean): RolloutStep {
  const stale = instances.filter((i) => i.present && !i.updated);
  if (stale.length === 0) return { kind: 'done' };
  if (primary === null || operationInProgress) return { kind: 'wait', reason: 'a failover or switchover is in progress' };
  const missing = instances.filter((i) => !i.present);
  if (missing.length > 0) return { kind: 'wait', reason: `instance(s) ${missing.map((i) => i.ordinal).join(', ')} restarting` };
  // One unhealthy stale replica may be exactly what the new revision fixes: it goes first.
  // Any other unhealthy instance means the cluster has no margin for a restart.
  const unready = instances.filter((i) => !i.ready);
  const fixable = unready.length === 1 && !unready[0].updated && unready[0].ordinal !== primary;
  if (unready.length > 0 && !fixable) {
    return { kind: 'wait', reason: `instance(s) ${unready.map((i) => i.ordinal).join(', ')} not ready` };
  }
  if (fixable) return { kind: 'restart', ordinal: unready[0].ordinal };
  const staleReplicas = stale.filter((i) => i.ordinal !== primary).sort((a, b) => b.ordinal - a.ordinal);
  if (staleReplicas.length > 0) return { kind: 'restart', ordinal: staleReplicas[0].ordinal };
  // Only the primary is left: hand its role to an updated replica, then restart it.
  const target = instances.filter((i) => i.ordinal !== primary && i.updated && i.ready).sort((a, b) => a.ordinal - b.ordinal)[0];
  if (!target) {
    // A single instance has nobody to switch to: it restarts in place (a short outage).
    return instances.length === 1 ? { kind: 'restart', ordinal: primary } : { kind: 'wait', reason: 'no updated healthy replica to switch over to' };
  }
  return { kind: 'switchover', to: target.ordinal };
}
