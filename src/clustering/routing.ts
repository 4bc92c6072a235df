// Who receives client traffic. The read-write route is the recorded primary and nothing
// else, and only while it is writable: a primary that restarted comes back read-only and
// may lack acknowledged commits (until the loop has checked it), so reads through the
// read-write endpoint must not see it. During a failover or switchover it is nobody, so no
// client can write to the old primary once promotion is under way.
import { replicatesFrom } from './topology.js';
import type { ClusterState, InstanceView, Policy, Role, Snapshot } from './types.js';

export interface Routes {
  readWrite: number | null;
  readOnly: number[];
  /** Galera: every node that may take writes (the all-nodes endpoint). */
  readWriteAll?: number[];
}

export function replicaHealthy(policy: Policy, state: ClusterState, snap: Snapshot, i: InstanceView): boolean {
  if (i.ordinal === state.primary || state.quarantined[i.ordinal] || i.provisioning) return false;
  const primary = snap.instances.find((p) => p.ordinal === state.primary);
  const r = i.status?.replication;
  if (!i.status || !r || !primary) return false;
  return (
    i.status.readOnly &&
    replicatesFrom(r, primary) &&
    r.io === 'Yes' &&
    r.sqlRunning &&
    r.secondsBehind !== null &&
    r.secondsBehind <= policy.maxReadLagSeconds
  );
}

export function computeRoutes(policy: Policy, state: ClusterState, snap: Snapshot): Routes {
  const readWrite = state.operation || state.primary === null || !mayWrite(snap.instances.find((i) => i.ordinal === state.primary)) ? null : state.primary;
  const replicas = snap.instances.filter((i) => replicaHealthy(policy, state, snap, i)).map((i) => i.ordinal);
  return { readWrite, readOnly: replicas.length > 0 ? replicas : readWrite === null ? [] : [readWrite] };
}

/**
 * A primary that crashed (nothing listens, or its process is gone) loses its route at once:
 * it will come back read-only and possibly without acknowledged commits. One that is merely
 * unreachable (a blip: frozen, slow) keeps it, so a short pause cuts no client connection.
 */
function mayWrite(primary: InstanceView | undefined): boolean {
  if (!primary) return false;
  if (primary.status) return !primary.status.readOnly;
  return !primary.refused && primary.processRunning !== false;
}

export function roleOf(state: ClusterState, i: InstanceView): Role {
  if (i.ordinal === state.primary) return 'primary';
  if (i.status?.replication) return 'replica';
  return 'unknown';
}
