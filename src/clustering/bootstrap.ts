// PURE: when an instance without data may start the cluster empty instead of cloning it.
// Two empty starts are two clusters under one name: a fork that no failover can join again.
// So only instance 0 starts empty, only while no primary was ever recorded, and only when
// every peer is known to hold no data.

export interface PeerData {
  peer: string;
  /** 'unknown': it could not be asked, so it may hold the cluster's data. */
  data: 'some' | 'none' | 'unknown';
  /** Why it is unknown, for the reason given. */
  why?: string;
}

export interface BootstrapInput {
  ordinal: number;
  /** A primary was recorded once: the cluster exists, whatever its peers say now. */
  primaryRecorded: boolean;
  peers: PeerData[];
}

export type BootstrapDecision = { allowed: true } | { allowed: false; reason: string };

export function mayStartEmpty(i: BootstrapInput): BootstrapDecision {
  if (i.primaryRecorded) return { allowed: false, reason: 'a primary was recorded: the cluster exists already' };
  const withData = i.peers.filter((p) => p.data === 'some').map((p) => p.peer);
  if (withData.length > 0) return { allowed: false, reason: `peers hold data: ${withData.join(', ')}` };
  const unknown = i.peers.filter((p) => p.data === 'unknown').map((p) => (p.why ? `${p.peer} (${p.why})` : p.peer));
  if (unknown.length > 0) return { allowed: false, reason: `these peers did not answer and may hold data: ${unknown.join(', ')}` };
  if (i.ordinal !== 0) return { allowed: false, reason: 'no peer has data yet; only instance 0 starts an empty cluster' };
  return { allowed: true };
}
