// Which peer a new instance clones from, or whether it may start the cluster empty (the rule is
// in clustering/bootstrap.ts). Pure: the answers of every peer's agent in, a decision out.
import { mayStartEmpty, type PeerData } from '../clustering/bootstrap.js';
import type { InstanceStatus } from './instance-status.js';

export interface PeerAnswer {
  peer: string;
  status?: InstanceStatus;
  /** The peer could not be asked. */
  error?: string;
  /** Its name does not resolve: the pod does not exist (yet), so it holds no data. */
  absent?: boolean;
}

export type DataPlan =
  | { kind: 'clone'; donor: string; role: 'replica' | 'primary' }
  | { kind: 'initialize' }
  | { kind: 'wait'; reason: string };

export function planData(ordinal: number, answers: PeerAnswer[]): DataPlan {
  const up = answers.filter((a) => a.status?.hasData && a.status.serverUp);
  // A healthy replica first: cloning loads the donor, and the primary serves the clients.
  const replica = up.find((a) => {
    const r = a.status!.replication;
    return a.status!.readOnly === true && r && r.ioRunning === 'Yes' && r.sqlRunning && !r.lastIoError && !r.lastSqlError;
  });
  if (replica) return { kind: 'clone', donor: replica.peer, role: 'replica' };
  const primary = up.find((a) => a.status!.readOnly === false);
  if (primary) return { kind: 'clone', donor: primary.peer, role: 'primary' };
  // The agent cannot read the recorded primary: its peers' answers stand for the cluster.
  const start = mayStartEmpty({ ordinal, primaryRecorded: false, peers: answers.map(peerData) });
  if (start.allowed) return { kind: 'initialize' };
  return { kind: 'wait', reason: `no peer can serve a clone now; ${start.reason}` };
}

function peerData(a: PeerAnswer): PeerData {
  if (a.status) return { peer: a.peer, data: a.status.hasData ? 'some' : 'none' };
  return a.absent ? { peer: a.peer, data: 'none' } : { peer: a.peer, data: 'unknown', why: a.error };
}
