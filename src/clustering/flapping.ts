// PURE: the anti-flapping rule. A new primary that fails again before the cluster has
// recovered from the failover that made it (every instance healthy again) is likely to be
// the victim of the same cause: failing over again at once would bounce the primary role
// around and throw away warm replicas. So such a second failover waits, for at most
// spec.failover.minIntervalSeconds after the first. A failure after the cluster recovered
// is independent and fails over at once; so does re-promoting the failed primary itself
// (it restarted holding the most: nothing moves, nothing flaps).
import type { ClusterState, Policy } from './types.js';

/** Why a failover to `candidate` must wait, or undefined if it may run now. */
export function failoverHold(policy: Policy, state: ClusterState, now: number, from: number, candidate: number): string | undefined {
  if (state.lastFailoverAt === undefined || candidate === from) return undefined;
  if ((state.lastRecoveredAt ?? -Infinity) >= state.lastFailoverAt) return undefined;
  const since = now - state.lastFailoverAt;
  if (since >= policy.minFailoverIntervalMs) return undefined;
  const left = Math.ceil((policy.minFailoverIntervalMs - since) / 1000);
  return `failover held back ${left} s more (anti-flapping, spec.failover.minIntervalSeconds): instance ${from} became primary ${(since / 1000).toFixed(1)} s ago and the cluster has not fully recovered since; instance ${from} is restarted in place meanwhile`;
}

/** The last failover is over once every instance is healthy again: record when. */
export function recoveredNow(state: ClusterState, allHealthy: boolean): boolean {
  return allHealthy && state.lastFailoverAt !== undefined && (state.lastRecoveredAt ?? -Infinity) < state.lastFailoverAt;
}
