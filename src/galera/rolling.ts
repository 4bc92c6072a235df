// PURE: a rolling restart of a Galera cluster (changed settings, an upgrade): one node at a
// time, and only while every node is synced, so the cluster keeps its quorum and each node
// rejoins by IST from a full set of donors. The write node goes last, after the write
// endpoint moved off it.

export interface RollingInput {
  replicas: number;
  /** Nodes synced in the Primary component. */
  serving: number[];
  /** Nodes whose running server has stale settings. */
  stale: number[];
  writer: number | null;
}

export type RollingStep =
  | { kind: 'none'; why: string }
  | { kind: 'restart'; ordinal: number }
  | { kind: 'moveWriter'; from: number };

export function nextRollingStep(i: RollingInput): RollingStep {
  if (i.stale.length === 0) return { kind: 'none', why: 'every node runs its current settings' };
  if (i.serving.length < i.replicas) return { kind: 'none', why: `waiting until all ${i.replicas} nodes are synced (${i.serving.length} are)` };
  const other = i.stale.find((o) => o !== i.writer);
  if (other !== undefined) return { kind: 'restart', ordinal: other };
  return { kind: 'moveWriter', from: i.writer! };
}
