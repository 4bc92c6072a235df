// PURE: a cluster as a person sees it, on either platform (a MySQLCluster's status, or a sandbox
// cluster's): what `kubectl ordinal status` draws and the dashboard shows. Also the actions'
// refusals, decided before anything changes, so the plugin and the dashboard give the same reasons.

export interface InstanceView {
  ordinal: number;
  role: string;
  ready: boolean;
  readOnly: boolean | null;
  errant: boolean;
  lagSeconds: number | null;
  /** gtid_current_pos: what it has applied or written. */
  gtid?: string;
  message?: string;
}

export interface GaleraNodeView {
  ordinal: number;
  state: string;
  seqno: number | null;
  clusterSize: number | null;
  flowControlPaused: number | null;
  recvQueue: number | null;
}

export interface ClusterView {
  name: string;
  namespace: string;
  mode?: string;
  status?: {
    phase?: string;
    primary?: number | null;
    ready?: string;
    failovers?: number;
    switchovers?: number;
    message?: string;
    instances?: InstanceView[];
    galera?: { writer: number | null; clusterSize: number; plan: string; planReason: string; nodes: GaleraNodeView[] };
  };
}

/**
 * The instance a switchover goes to: the one asked for, or the ready replica with the least
 * lag. Refused, with the reason, when that instance could not take over without losing writes
 * or availability.
 */
export function switchoverTarget(c: ClusterView, to: number | undefined): { ok: true; ordinal: number } | { ok: false; why: string } {
  if (c.mode === 'galera') return { ok: false, why: 'a Galera cluster moves its write node by itself; switchover is for primary-replica clusters' };
  const s = c.status ?? {};
  if (s.primary === null || s.primary === undefined) return { ok: false, why: 'the cluster has no primary' };
  const instances = s.instances ?? [];
  if (to === undefined) {
    const best = instances.filter((i) => i.role === 'replica' && i.ready && !i.errant).sort((a, b) => (a.lagSeconds ?? Infinity) - (b.lagSeconds ?? Infinity) || a.ordinal - b.ordinal)[0];
    return best ? { ok: true, ordinal: best.ordinal } : { ok: false, why: 'no replica is ready to take over' };
  }
  if (to === s.primary) return { ok: false, why: `instance ${to} is the primary already` };
  const target = instances.find((i) => i.ordinal === to);
  if (!target) return { ok: false, why: `instance ${to} does not exist (instances: ${instances.map((i) => i.ordinal).join(', ') || 'none'})` };
  if (target.errant) return { ok: false, why: `instance ${to} is errant (it has transactions the primary never had); rebuild it first` };
  if (!target.ready) {
    const lag = target.lagSeconds ? `, ${target.lagSeconds} s behind` : '';
    return { ok: false, why: `instance ${to} is not ready${target.message ? ` (${target.message}${lag})` : lag ? ` (${lag.slice(2)})` : ''}` };
  }
  return { ok: true, ordinal: to };
}

/** Why an instance may not be rebuilt (its data thrown away and copied again), or undefined. */
export function rebuildRefusal(c: ClusterView, ordinal: number): string | undefined {
  const instances = c.status?.instances ?? [];
  if (!instances.some((i) => i.ordinal === ordinal)) return `instance ${ordinal} does not exist (instances: ${instances.map((i) => i.ordinal).join(', ') || 'none'})`;
  if (c.mode !== 'galera' && ordinal === c.status?.primary) return `instance ${ordinal} is the primary; switch over first`;
  return undefined;
}
