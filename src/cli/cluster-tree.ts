// PURE: a MySQLCluster's status as a person reads it in a terminal (`kubectl ordinal status`):
// the primary above its replicas, Galera nodes side by side, and the Services to connect to.
// Also which instance a switchover may go to, refused with the reason before anything changes.

export interface InstanceView {
  ordinal: number;
  role: string;
  ready: boolean;
  readOnly: boolean | null;
  errant: boolean;
  lagSeconds: number | null;
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

export function clusterTree(c: ClusterView): string {
  const s = c.status ?? {};
  const galera = c.mode === 'galera';
  const head = [
    `${c.name} (${c.namespace})`,
    galera ? 'galera' : 'primary-replica',
    `phase ${s.phase ?? 'unknown'}`,
    `ready ${s.ready ?? '-'}`,
    galera ? `writer ${s.primary ?? 'none'}` : `primary ${s.primary ?? 'none'}`,
    `failovers ${s.failovers ?? 0}`,
    `switchovers ${s.switchovers ?? 0}`,
  ].join('  ');
  const lines = [head];
  if (s.message) lines.push(`  ${s.message}`);
  const instances = [...(s.instances ?? [])].sort((a, b) => a.ordinal - b.ordinal);
  if (galera) {
    const nodes = new Map((s.galera?.nodes ?? []).map((n) => [n.ordinal, n]));
    if (s.galera) lines.push(`  cluster size ${s.galera.clusterSize}, plan ${s.galera.plan}: ${s.galera.planReason}`);
    for (const i of instances) {
      const n = nodes.get(i.ordinal);
      const fields = [
        `node ${i.ordinal}`,
        i.ordinal === s.primary ? 'writer' : 'node',
        n?.state ?? 'unknown',
        i.ready ? 'ready' : 'not ready',
        `seqno ${n?.seqno ?? '-'}`,
        ...(n?.flowControlPaused ? [`flow control ${(n.flowControlPaused * 100).toFixed(0)}%`] : []),
        ...(n?.recvQueue ? [`recv queue ${n.recvQueue}`] : []),
      ];
      const why = i.message && !i.ready && i.message !== n?.state ? `  (${i.message})` : '';
      lines.push(`  ${fields.join('  ')}${why}`);
    }
  } else {
    const primary = instances.find((i) => i.ordinal === s.primary);
    const others = instances.filter((i) => i !== primary);
    if (primary) lines.push(`  ${instanceLine(primary)}`);
    others.forEach((i, k) => lines.push(`  ${primary ? (k === others.length - 1 ? '└─ ' : '├─ ') : ''}${instanceLine(i)}`));
  }
  lines.push(galera
    ? `services: ${c.name}-primary (the write node), ${c.name}-read (every synced node), ${c.name}-replicas (the synced nodes but the write node)`
    : `services: ${c.name}-primary (read-write), ${c.name}-replicas (healthy replicas), ${c.name}-read (every healthy instance)`);
  return lines.join('\n');
}

function instanceLine(i: InstanceView): string {
  const fields = [
    `${i.ordinal}`,
    i.role,
    i.ready ? 'ready' : 'not ready',
    i.readOnly === null ? 'unreachable' : i.readOnly ? 'read-only' : 'writable',
    ...(i.lagSeconds !== null && i.role !== 'primary' ? [`lag ${i.lagSeconds}s`] : []),
    ...(i.errant ? ['ERRANT (quarantined)'] : []),
  ];
  return `${fields.join('  ')}${i.message ? `  (${i.message})` : ''}`;
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
  if (!target.ready) return { ok: false, why: `instance ${to} is not ready${target.message ? ` (${target.message})` : ''}` };
  return { ok: true, ordinal: to };
}
