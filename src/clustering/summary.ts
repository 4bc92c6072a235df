// PURE: what a person (or `status -o json`) sees about a cluster.
import { formatGtids } from '../db/gtid.js';
import { replicaHealthy, roleOf } from './routing.js';
import type { ClusterState, Policy, Role, Snapshot } from './types.js';

/** Recovering: a Galera cluster bootstraps again after losing its Primary component. */
export type Phase = 'Creating' | 'Running' | 'Degraded' | 'FailingOver' | 'SwitchingOver' | 'Unavailable' | 'Recovering';

export interface InstanceSummary {
  ordinal: number;
  role: Role;
  ready: boolean;
  readOnly: boolean | null;
  errant: boolean;
  reachable: boolean;
  lagSeconds: number | null;
  /** gtid_current_pos, while reachable. */
  gtid?: string;
  message?: string;
}

export interface ClusterSummary {
  phase: Phase;
  primary: number | null;
  failovers: number;
  switchovers: number;
  instances: InstanceSummary[];
  message?: string;
  /** When the loop last looked at every instance (ms since the epoch). */
  observedAt: number;
}

export function summarize(policy: Policy, state: ClusterState, snap: Snapshot, message?: string): ClusterSummary {
  const instances = snap.instances.map((i): InstanceSummary => {
    const isPrimary = i.ordinal === state.primary;
    const ready = isPrimary ? !!i.status && !i.status.readOnly && !state.operation : replicaHealthy(policy, state, snap, i);
    const r = i.status?.replication;
    const q = state.quarantined[i.ordinal];
    return {
      ordinal: i.ordinal,
      role: roleOf(state, i),
      ready,
      readOnly: i.status ? i.status.readOnly : null,
      errant: !!q,
      reachable: !!i.status,
      lagSeconds: r?.secondsBehind ?? null,
      gtid: i.status ? formatGtids(i.status.executed.values()) : undefined,
      message: i.provisioning
        ? 'provisioning'
        : q
          ? `quarantined: errant ${q.errant}`
          : i.error ?? (r?.lastIoError || r?.lastSqlError || undefined),
    };
  });
  return { phase: phaseOf(state, instances, policy), primary: state.primary, failovers: state.failovers, switchovers: state.switchovers, instances, message, observedAt: snap.now };
}

function phaseOf(state: ClusterState, instances: InstanceSummary[], policy: Policy): Phase {
  if (state.operation?.kind === 'failover') return 'FailingOver';
  if (state.operation?.kind === 'switchover') return 'SwitchingOver';
  if (state.primary === null) return 'Creating';
  const primary = instances.find((i) => i.ordinal === state.primary);
  if (!primary?.ready) return 'Unavailable';
  const ready = instances.filter((i) => i.ready).length;
  return ready === policy.replicas && instances.length === policy.replicas ? 'Running' : 'Degraded';
}
