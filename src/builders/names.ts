// Names and labels of everything the operator creates for one MySQLCluster (docs/kubernetes.md).
import { CLUSTER_API, type MySQLCluster } from '../api/cluster.js';

export const ROLE_LABEL = 'ordinal.dev/role';
export const HEALTHY_LABEL = 'ordinal.dev/healthy';
export const CLUSTER_LABEL = 'ordinal.dev/cluster';
export const CONFIG_HASH_ANNOTATION = 'ordinal.dev/config-hash';

/** The volumeClaimTemplate: the StatefulSet names instance N's claim `data-NAME-N` after it. */
export const DATA_VOLUME = 'data';

/** Where pods mount a claim of backup storage, and of the binary log archive. */
export const BACKUP_MOUNT = '/var/lib/ordinal/backup';
export const ARCHIVE_MOUNT = '/var/lib/ordinal/archive';

export const MYSQL_PORT = 3306;
export const AGENT_PORT = 9601;
export const EXPORTER_PORT = 9104;

export interface ClusterNames {
  statefulSet: string;
  headless: string;
  primary: string;
  replicas: string;
  read: string;
  config: string;
  secrets: string;
  pdb: string;
  pod(ordinal: number): string;
  pvc(ordinal: number): string;
  /** The stable DNS name replicas and clones use for instance `ordinal`. */
  host(ordinal: number): string;
}

export function namesOf(name: string, namespace: string): ClusterNames {
  return {
    statefulSet: name,
    headless: `${name}-headless`,
    primary: `${name}-primary`,
    replicas: `${name}-replicas`,
    read: `${name}-read`,
    config: `${name}-config`,
    secrets: `${name}-secrets`,
    pdb: name,
    pod: (o) => `${name}-${o}`,
    pvc: (o) => `${DATA_VOLUME}-${name}-${o}`,
    host: (o) => `${name}-${o}.${name}-headless.${namespace}.svc.cluster.local`,
  };
}

/** An instance ordinal as people and pod names write it ("0", "12"): no sign, space or leading zero. */
export function parseOrdinal(text: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(text) ? Number(text) : undefined;
}

/** The ordinal of a StatefulSet pod `NAME-N`, or undefined. */
export function ordinalOf(clusterName: string, podName: string): number | undefined {
  const prefix = `${clusterName}-`;
  return podName.startsWith(prefix) ? parseOrdinal(podName.slice(prefix.length)) : undefined;
}

/** The ordinal of an instance's claim `data-NAME-N`, or undefined. */
export function claimOrdinalOf(clusterName: string, claimName: string): number | undefined {
  return ordinalOf(`${DATA_VOLUME}-${clusterName}`, claimName);
}

/** Labels that select the cluster's pods: never change them (a StatefulSet's selector is immutable). */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'mariadb', 'app.kubernetes.io/instance': name, [CLUSTER_LABEL]: name };
}

export function commonLabels(name: string): Record<string, string> {
  return { ...selectorLabels(name), 'app.kubernetes.io/managed-by': 'ordinal' };
}

export interface Owned {
  name: string;
  namespace: string;
  uid: string;
}

export function ownerOf(c: MySQLCluster & { metadata: { uid?: string } }): Owned {
  return { name: c.metadata.name, namespace: c.metadata.namespace ?? 'default', uid: c.metadata.uid ?? '' };
}

/** Metadata of a child object: labels plus a controller owner reference for garbage collection. */
export function childMeta(owner: Owned, name: string, extraLabels: Record<string, string> = {}) {
  return {
    name,
    namespace: owner.namespace,
    labels: { ...commonLabels(owner.name), ...extraLabels },
    ownerReferences: [ownerReference(owner)],
  };
}

export function ownerReference(owner: Owned) {
  return {
    ...CLUSTER_API,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
