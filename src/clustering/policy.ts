import type { ClusterSpec } from '../api/cluster.js';
import type { Policy } from './types.js';

export function policyFrom(spec: ClusterSpec): Policy {
  return {
    replicas: spec.replicas,
    semiSync: spec.semiSync.enabled,
    failoverEnabled: spec.failover.enabled,
    detectionWindowMs: spec.failover.detectionWindowSeconds * 1000,
    minFailoverIntervalMs: spec.failover.minIntervalSeconds * 1000,
    maxReadLagSeconds: 30,
  };
}
