// PURE: how one stopped node may start under the recovery plan: held back, or started with
// these mariadbd arguments. The caller carries out the side effects it names (mark the node
// safe to bootstrap, keep its data aside) before the server starts.
import { formatPosition, type Position } from './position.js';
import { joinKeepsData, type RecoveryPlan } from './recovery.js';

export interface NodeStart {
  ordinal: number;
  hasData: boolean;
  /** Its data's position, once read (null: no data). */
  stored?: Position | null;
  /** The Primary component's position, when one exists. */
  cluster?: Position;
  /** The Primary component still counts this node's previous server as a member. */
  stillMember?: boolean;
}

export type StartStep =
  | { kind: 'hold'; why: string }
  | {
      kind: 'start';
      args: string[];
      why: string;
      /** It starts a new Primary component: grastate.dat must say safe_to_bootstrap first. */
      bootstrap?: boolean;
      /** Its data is ahead of the cluster or of another history: keep it aside, then join empty. */
      keepDataAside?: boolean;
    };

export function startStep(plan: RecoveryPlan, n: NodeStart): StartStep {
  switch (plan.kind) {
    case 'wait':
      return { kind: 'hold', why: plan.why };
    case 'new':
      if (n.ordinal !== 0 || !n.hasData) return { kind: 'hold', why: 'node 0 starts the new cluster first' };
      return { kind: 'start', args: ['--wsrep-new-cluster'], why: plan.why, bootstrap: true };
    case 'bootstrap':
      if (n.ordinal !== plan.ordinal || plan.how !== 'start') return { kind: 'hold', why: `node ${plan.ordinal} bootstraps the cluster first` };
      return { kind: 'start', args: ['--wsrep-new-cluster', ...startPosition(plan.position)], why: plan.why, bootstrap: true };
    case 'join': {
      // A new server joining while the old one is still a member makes the others go through
      // two view changes at once, and they stall commits meanwhile: first let them drop it.
      if (n.stillMember) return { kind: 'hold', why: 'its previous server is still a member of the Primary component; waiting until the others drop it' };
      if (!n.hasData) return { kind: 'start', args: [], why: 'joins with no data: a full copy (SST) from a synced node' };
      if (n.stored === undefined || !n.cluster) return { kind: 'hold', why: 'reading its position before it joins' };
      if (!joinKeepsData(n.stored, n.cluster)) {
        return { kind: 'start', args: [], why: `its data (${n.stored && formatPosition(n.stored)}) is not behind the cluster's (${formatPosition(n.cluster)}): kept aside, it joins with a full copy`, keepDataAside: true };
      }
      return { kind: 'start', args: startPosition(n.stored), why: `joins the Primary component from ${n.stored ? formatPosition(n.stored) : 'no data'}` };
    }
  }
}

/** The position its data was recovered at, for the server (as galera_recovery does under systemd). */
function startPosition(p: Position | null): string[] {
  return p ? [`--wsrep-start-position=${formatPosition(p)}`] : [];
}
