// PURE: a MySQLCluster's status as a person reads it in a terminal (`kubectl ordinal status`):
// the primary above its replicas, Galera nodes side by side, and the Services to connect to.
import type { ClusterView, InstanceView } from '../views/cluster-view.js';

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
