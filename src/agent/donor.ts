// Which peer a new instance clones from, and when ordinal 0 may start an empty cluster.
// Pure: the answers of every peer's agent in, a decision out.
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
  const withData = answers.filter((a) => a.status?.hasData).map((a) => a.peer);
  if (withData.length > 0) return { kind: 'wait', reason: `peers with data cannot serve a clone now (server down or not replicating): ${withData.join(', ')}` };
  // An unanswered peer may hold the cluster's data: starting an empty one beside it would fork it.
  const unknown = answers.filter((a) => !a.status && !a.absent).map((a) => `${a.peer} (${a.error})`);
  if (unknown.length > 0) return { kind: 'wait', reason: `no donor; these peers did not answer and may hold data: ${unknown.join(', ')}` };
  if (ordinal === 0) return { kind: 'initialize' };
  return { kind: 'wait', reason: 'no peer has data yet; only instance 0 starts an empty cluster' };
}
