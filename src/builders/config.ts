// The ConfigMap every pod reads at start: the cluster document, from which the init container
// renders my.cnf for its own ordinal. Its hash goes into the pod template, so a change that
// alters my.cnf makes a new StatefulSet revision (rolled out replicas first, primary last).
import { createHash } from 'node:crypto';
import type { MySQLCluster } from '../api/cluster.js';
import { childMeta, namesOf, type Owned } from './names.js';

export const CLUSTER_FILE = 'cluster.json';

/** What the pods get: the spec, without the status and server-managed metadata. */
export function clusterDocument(c: MySQLCluster, namespace: string): MySQLCluster {
  return { apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.metadata.name, namespace }, spec: c.spec };
}

export function configMap(owner: Owned, c: MySQLCluster) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(owner, namesOf(owner.name, owner.namespace).config),
    data: { [CLUSTER_FILE]: `${JSON.stringify(clusterDocument(c, owner.namespace), null, 2)}\n` },
  };
}

/** Only what reaches my.cnf: scaling or a switchover request must not restart anything. */
export function configHash(c: MySQLCluster): string {
  const { mariadb, semiSync, failover, mode, galera } = c.spec;
  // Galera's fields are hashed only in that mode: existing primary-replica pods keep their revision.
  const input = JSON.stringify({ mariadb, semiSync, detectionWindowSeconds: failover.detectionWindowSeconds, ...(mode === 'galera' ? { galera } : {}) });
  return createHash('sha256').update(input).digest('hex').slice(0, 16);
}
