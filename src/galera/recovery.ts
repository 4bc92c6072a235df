// PURE: how a Galera cluster gets (back) to a Primary component. While any node is in
// one, down nodes simply join it. When none is, the cluster was fully stopped or crashed,
// or lost its quorum: it must be bootstrapped again from the node whose data goes furthest
// in the one history, or acknowledged writes are lost. Galera commits in seqno order on
// every node, so the node with the highest committed seqno holds every write any node
// acknowledged. Every node's position must therefore be known before choosing; a node that
// runs and does not answer may even be in a Primary component this process cannot see.
import { formatPosition, isEmpty, type Position } from './position.js';

export interface NodeFacts {
  ordinal: number;
  /** Its server process runs. */
  running: boolean;
  /** Running and answering SQL this tick: its cluster status and position. */
  answered?: { primary: boolean; position: Position };
  /** Not running: its data's position (grastate.dat, or --wsrep-recover); null: it has no data; undefined: unknown. */
  stored?: Position | null;
  /** grastate.dat's safe_to_bootstrap. */
  safeToBootstrap?: boolean;
  /** Why its position is unknown (a failed --wsrep-recover, say). */
  unknownWhy?: string;
}

export interface RecoveryInput {
  nodes: NodeFacts[];
  /** The cluster was bootstrapped once: an empty start would fork it. */
  bootstrapped: boolean;
  /** A person chose the node to bootstrap from (`ordinal local recover --from N`). */
  forced?: number;
  /** How long no node has been in a Primary component while some ran (ms). */
  noPrimaryForMs: number;
  /** How long to wait, while servers run, before deciding they lost the quorum for good. */
  graceMs: number;
}

export type RecoveryPlan =
  | { kind: 'join'; why: string }
  | { kind: 'new'; ordinal: 0; why: string }
  | { kind: 'wait'; why: string }
  /** 'start': start it with --wsrep-new-cluster; 'promote': it runs: pc.bootstrap=YES on it. */
  | { kind: 'bootstrap'; ordinal: number; how: 'start' | 'promote'; position: Position | null; why: string };

export function planRecovery(i: RecoveryInput): RecoveryPlan {
  const primary = i.nodes.filter((n) => n.answered?.primary).map((n) => n.ordinal);
  if (primary.length > 0) return { kind: 'join', why: `node(s) ${primary.join(', ')} form the Primary component` };

  const silent = i.nodes.filter((n) => n.running && !n.answered).map((n) => n.ordinal);
  if (silent.length > 0) {
    return { kind: 'wait', why: `node(s) ${silent.join(', ')} run but do not answer: they may be in a Primary component, or still starting` };
  }
  const positions = new Map(i.nodes.map((n) => [n.ordinal, n.answered ? n.answered.position : n.stored]));
  const withData = i.nodes.filter((n) => { const p = positions.get(n.ordinal); return p && !isEmpty(p); });

  if (!i.bootstrapped && withData.length === 0 && i.nodes.every((n) => positions.get(n.ordinal) !== undefined)) {
    return { kind: 'new', ordinal: 0, why: 'a new cluster: no node has data' };
  }
  if (i.nodes.some((n) => n.running) && i.noPrimaryForMs < i.graceMs && i.forced === undefined) {
    return { kind: 'wait', why: `no Primary component for ${(i.noPrimaryForMs / 1000).toFixed(0)} s; the nodes may still find each other (recovery after ${(i.graceMs / 1000).toFixed(0)} s)` };
  }

  if (i.forced !== undefined) {
    const n = i.nodes.find((x) => x.ordinal === i.forced);
    if (!n) return { kind: 'wait', why: `recovery was asked from node ${i.forced}, which does not exist` };
    const p = positions.get(n.ordinal);
    if (!p || isEmpty(p)) return { kind: 'wait', why: `recovery was asked from node ${n.ordinal}, which has no data` };
    return bootstrap(n, p, `a person chose node ${n.ordinal} (${formatPosition(p)})`);
  }

  const unknown = i.nodes.filter((n) => positions.get(n.ordinal) === undefined);
  if (unknown.length > 0) {
    const list = unknown.map((n) => (n.unknownWhy ? `${n.ordinal} (${n.unknownWhy})` : String(n.ordinal))).join(', ');
    return { kind: 'wait', why: `the position of node(s) ${list} is unknown: bootstrapping without it could lose writes only it holds; choose a node with recover --from N if it is lost for good` };
  }
  if (withData.length === 0) {
    return { kind: 'wait', why: 'no node has data, but the cluster was bootstrapped before: starting empty would lose it; restore it or choose a node with recover --from N' };
  }
  const histories = new Set(withData.map((n) => positions.get(n.ordinal)!.uuid));
  if (histories.size > 1) {
    const list = withData.map((n) => `${n.ordinal}: ${formatPosition(positions.get(n.ordinal)!)}`).join(', ');
    return { kind: 'wait', why: `the nodes hold different histories (${list}); choose one with recover --from N` };
  }
  const best = [...withData].sort((a, b) =>
    positions.get(b.ordinal)!.seqno - positions.get(a.ordinal)!.seqno ||
    Number(!!b.safeToBootstrap) - Number(!!a.safeToBootstrap) ||
    Number(b.running) - Number(a.running) ||
    a.ordinal - b.ordinal)[0];
  const p = positions.get(best.ordinal)!;
  return bootstrap(best, p, `node ${best.ordinal} has the highest committed seqno (${formatPosition(p)})`);
}

function bootstrap(n: NodeFacts, position: Position, why: string): RecoveryPlan {
  return { kind: 'bootstrap', ordinal: n.ordinal, how: n.running ? 'promote' : 'start', position, why };
}

/**
 * Whether a node with data may join the Primary component as it is. Joining a cluster
 * that is behind it, or on another history, makes it take a full copy (SST) over its own
 * data: that data is kept aside first.
 */
export function joinKeepsData(node: Position | null | undefined, cluster: Position): boolean {
  if (!node || isEmpty(node)) return true;
  return node.uuid === cluster.uuid && node.seqno <= cluster.seqno;
}

/** A node that can stay disconnected this long is stuck, not joining (a join connects in seconds). */
export const STUCK_DISCONNECTED_MS = 30_000;

/**
 * Running nodes to restart. A node whose group communication closed (wsrep_cluster_status
 * Disconnected: it left after its component lost the quorum, say) never connects again by
 * itself, so it would stay out of a cluster that has a Primary component again. Restarted,
 * it joins like any stopped node (IST, or a full copy with its data kept aside).
 */
export function stuckDisconnected(disconnectedForMs: Map<number, number>, anyPrimary: boolean, thresholdMs = STUCK_DISCONNECTED_MS): number[] {
  if (!anyPrimary) return [];
  return [...disconnectedForMs].filter(([, ms]) => ms >= thresholdMs).map(([o]) => o).sort((a, b) => a - b);
}
