// Holistic failure detection: the primary is failed only when the loop cannot use it AND
// the replicas agree that they lost it too. A pause shorter than the detection window
// (a blip) leaves the replicas connected, so nothing happens.
import type { ClusterState, InstanceView, Policy, Snapshot } from './types.js';
import { replicatesFrom } from './topology.js';

export type PrimaryHealth =
  | { state: 'healthy' }
  | { state: 'suspect'; reason: string }
  | { state: 'failed'; reason: string };

export function primaryHealth(policy: Policy, state: ClusterState, snap: Snapshot): PrimaryHealth {
  if (state.primary === null) return { state: 'suspect', reason: 'no primary recorded yet' };
  const primary = snap.instances.find((i) => i.ordinal === state.primary);
  if (!primary) return { state: 'failed', reason: `instance ${state.primary} no longer exists` };

  if (primary.status) {
    // Only the loop makes the recorded primary writable, and a restart always comes back
    // read-only: a read-only primary outside an operation has crashed and restarted.
    if (primary.status.readOnly && !state.operation) {
      return { state: 'failed', reason: `primary ${primary.ordinal} restarted (it is read-only)` };
    }
    return { state: 'healthy' };
  }

  const watchers = snap.instances.filter(
    (i) => i.ordinal !== primary.ordinal && i.status?.replication && !state.quarantined[i.ordinal] &&
      replicatesFrom(i.status.replication, primary),
  );
  const stillConnected = watchers.filter((i) => i.status!.replication!.io === 'Yes');
  if (watchers.length > 0 && stillConnected.length > 0) {
    return { state: 'suspect', reason: `primary ${primary.ordinal} unreachable, but replica(s) ${stillConnected.map((i) => i.ordinal).join(', ')} still receive from it` };
  }
  // A primary in crash recovery is not failed: after a crash of everything the replicas may
  // have restarted without the tail they acknowledged (GTID mode fetches relay logs again),
  // and only the primary still has it.
  if (primary.starting && primary.processRunning !== false) {
    return { state: 'suspect', reason: `primary ${primary.ordinal} is starting (crash recovery); waiting for it` };
  }
  const down = primary.refused || primary.processRunning === false;
  if (watchers.length === 0 && !down) {
    return { state: 'suspect', reason: `primary ${primary.ordinal} unreachable and no replica can confirm it` };
  }
  if (down) return { state: 'failed', reason: `primary ${primary.ordinal} is down (${primary.error ?? 'process not running'})` };
  const since = primary.unreachableSince ?? snap.now;
  if (snap.now - since >= policy.detectionWindowMs) {
    return { state: 'failed', reason: `primary ${primary.ordinal} unreachable for ${((snap.now - since) / 1000).toFixed(1)} s and the replicas lost it too` };
  }
  return { state: 'suspect', reason: `primary ${primary.ordinal} unreachable for ${((snap.now - since) / 1000).toFixed(1)} s (window ${policy.detectionWindowMs / 1000} s)` };
}

/**
 * A failover may start only if no instance could still acknowledge writes for the old
 * primary once fenced: every other instance is reachable (its receiver can be stopped)
 * or known not to be running.
 */
export function unfenceable(state: ClusterState, snap: Snapshot): InstanceView[] {
  return snap.instances.filter(
    (i) => i.ordinal !== state.primary && !i.provisioning && !i.status && i.processRunning !== false,
  );
}
