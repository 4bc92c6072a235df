// PURE: one Galera node as its wsrep status variables describe it, and whether it may
// take client traffic: only inside the Primary component and Synced (or a Donor, when the
// spec allows). A node in a non-Primary component refuses queries; it must never be routed.

/** wsrep_local_state values. */
export const LOCAL_STATES: Record<number, string> = { 1: 'Joining', 2: 'Donor', 3: 'Joined', 4: 'Synced' };

export interface NodeStatus {
  /** wsrep_cluster_status: Primary, non-Primary or Disconnected. */
  clusterStatus: string;
  /** wsrep_local_state: 1 Joining, 2 Donor/Desynced, 3 Joined, 4 Synced. */
  localState: number;
  /** wsrep_local_state_uuid and wsrep_last_committed: its position in the history. */
  uuid: string;
  lastCommitted: number;
  clusterSize: number;
  /** wsrep_flow_control_paused: the fraction of time replication was paused since the last FLUSH STATUS. */
  flowControlPaused: number;
  /** wsrep_local_recv_queue: write-sets received and not yet applied. */
  recvQueue: number;
  /** wsrep_ready: the node accepts queries. */
  ready: boolean;
  /** wsrep_incoming_addresses: the client address (host:port) of every member of its view. */
  members: string[];
}

export function parseNodeStatus(vars: Map<string, string>): NodeStatus {
  const num = (k: string) => Number(vars.get(k) ?? NaN);
  return {
    clusterStatus: vars.get('wsrep_cluster_status') ?? 'Disconnected',
    localState: num('wsrep_local_state'),
    uuid: vars.get('wsrep_local_state_uuid') ?? '',
    lastCommitted: num('wsrep_last_committed'),
    clusterSize: num('wsrep_cluster_size'),
    flowControlPaused: num('wsrep_flow_control_paused'),
    recvQueue: num('wsrep_local_recv_queue'),
    ready: vars.get('wsrep_ready') === 'ON',
    members: (vars.get('wsrep_incoming_addresses') ?? '').split(',').map((a) => a.trim()).filter((a) => a && a !== 'AUTO'),
  };
}

export function stateName(s: NodeStatus | undefined): string {
  if (!s) return 'Unreachable';
  if (s.clusterStatus !== 'Primary') return s.clusterStatus === 'Disconnected' ? 'Disconnected' : 'NonPrimary';
  return LOCAL_STATES[s.localState] ?? `state ${s.localState}`;
}

export function mayServe(s: NodeStatus | undefined, availableWhenDonor: boolean): boolean {
  if (!s || s.clusterStatus !== 'Primary' || !s.ready) return false;
  return s.localState === 4 || (availableWhenDonor && s.localState === 2);
}
