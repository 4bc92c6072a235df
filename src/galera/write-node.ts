// PURE: which node takes the writes of the read-write endpoint. One node at a time, so
// that applications that do not retry never meet a certification conflict; it stays where
// it is while it can serve, and moves at once when it cannot.

export interface WriteNodeInput {
  current: number | null;
  /** Nodes that may serve now (mayServe), ascending. */
  serving: number[];
  /** A person asked for this node (switchover). */
  requested?: number;
}

export type WriteNodeChoice = { writer: number | null; why: string };

export function chooseWriteNode(i: WriteNodeInput): WriteNodeChoice {
  if (i.requested !== undefined && i.serving.includes(i.requested)) {
    return { writer: i.requested, why: i.requested === i.current ? 'it takes the writes already' : `switchover to node ${i.requested} as requested` };
  }
  if (i.current !== null && i.serving.includes(i.current)) return { writer: i.current, why: 'it is synced in the Primary component' };
  if (i.serving.length === 0) return { writer: null, why: 'no node is synced in a Primary component' };
  const next = i.serving[0];
  return { writer: next, why: i.current === null ? `node ${next} is synced` : `node ${i.current} cannot take writes; node ${next} is synced` };
}

/** Why a requested switchover target cannot take the writes, or undefined if it can. */
export function switchoverRefusal(target: number, replicas: number, serving: number[]): string | undefined {
  if (!Number.isInteger(target) || target < 0 || target >= replicas) return `node ${target} does not exist (0 to ${replicas - 1})`;
  if (!serving.includes(target)) return `node ${target} is not synced in the Primary component`;
  return undefined;
}
