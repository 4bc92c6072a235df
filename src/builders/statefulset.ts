// The StatefulSet: stable names, stable storage and the pod of docs/kubernetes.md. Updates
// are OnDelete: the operator restarts pods itself, replicas first and the primary last.
import type { MySQLCluster } from '../api/cluster.js';
import { GALERA_PORTS } from '../mariadb/galera-settings.js';
import { CLUSTER_FILE, configHash } from './config.js';
import {
  AGENT_PORT, ARCHIVE_MOUNT, CONFIG_HASH_ANNOTATION, DATA_VOLUME, EXPORTER_PORT, MYSQL_PORT, childMeta, commonLabels, namesOf, selectorLabels, type Owned,
} from './names.js';

export interface PodDefaults {
  /** Image with mariadbd, mariadb-backup, the exporter and Ordinal (spec.engine.image wins). */
  image: string;
}

export const ORDINAL = ['node', '/opt/ordinal/bin/ordinal.js'];

/**
 * The mysql container's PID 1. It asks for the start mode before every start
 * (agent/start-args.ts), in the background so that it can act on SIGTERM while it waits.
 * Then it stops the server with SIGKILL, never SIGTERM: a clean shutdown ends the waits of
 * transactions no replica acknowledged yet and commits them, telling their clients OK, and a
 * failover that fenced the replicas is under way whenever a primary pod is deleted.
 */
export const START_MYSQL = [
  'set -e',
  "trap 'kill $waiter 2>/dev/null; exit 143' TERM INT",
  `${ORDINAL.join(' ')} agent start-args > /run/mysqld/start-args & waiter=$!`,
  'wait $waiter',
  "trap 'kill -KILL $server 2>/dev/null; wait $server; exit 137' TERM INT",
  'mariadbd --defaults-file=/etc/ordinal/mysql/my.cnf $(cat /run/mysqld/start-args) & server=$!',
  'wait $server',
].join('\n');

/**
 * A Galera node's PID 1: the same gate, but the server stops with SIGTERM. A clean shutdown
 * leaves Galera's position in grastate.dat and the node leaves the cluster at once; Galera
 * commits are certified by every node before the client's OK, so nothing waits to be undone.
 */
export const START_GALERA = START_MYSQL.replace("kill -KILL $server 2>/dev/null; wait $server; exit 137", 'kill -TERM $server 2>/dev/null; wait $server; exit 143');

const mounts = {
  data: { name: DATA_VOLUME, mountPath: '/var/lib/mysql' },
  conf: { name: 'conf', mountPath: '/etc/ordinal/mysql' },
  cluster: { name: 'cluster', mountPath: '/etc/ordinal/cluster', readOnly: true },
  secrets: { name: 'secrets', mountPath: '/etc/ordinal/secrets', readOnly: true },
  run: { name: 'run', mountPath: '/run/mysqld' },
};

/**
 * spec.pitr: the agent archives the primary's binary logs, so it reaches the archive: S3 keys
 * as env from the named Secret, or the claim mounted (ReadWriteMany when instances run on
 * several nodes: every pod mounts it, and whichever is the primary writes).
 */
function archiveAccess(c: MySQLCluster): { env: object[]; volumes: object[]; mounts: object[] } {
  const storage = c.spec.pitr?.storage;
  const keys = storage?.s3?.credentialsSecretRef;
  if (keys) {
    return {
      env: [
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: keys.name, key: 'accessKeyId' } } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: keys.name, key: 'secretAccessKey' } } },
      ],
      volumes: [],
      mounts: [],
    };
  }
  if (storage?.pvc) {
    return { env: [], volumes: [{ name: 'archive', persistentVolumeClaim: { claimName: storage.pvc.claimName } }], mounts: [{ name: 'archive', mountPath: ARCHIVE_MOUNT }] };
  }
  return { env: [], volumes: [], mounts: [] };
}

export function statefulSet(owner: Owned, c: MySQLCluster, defaults: PodDefaults) {
  const n = namesOf(owner.name, owner.namespace);
  const image = c.spec.engine.image ?? defaults.image;
  const pullPolicy = c.spec.engine.imagePullPolicy ? { imagePullPolicy: c.spec.engine.imagePullPolicy } : {};
  const env = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'CLUSTER_NAME', value: owner.name },
    { name: 'HEADLESS_SERVICE', value: n.headless },
  ];
  const container = (name: string, command: string[], rest: Record<string, unknown> = {}) => ({ name, image, ...pullPolicy, command, env, ...rest });
  const resources = c.spec.resources ? { resources: c.spec.resources } : {};
  const archive = archiveAccess(c);
  const storage = c.spec.storage;

  const galera = c.spec.mode === 'galera';
  const containers = [
    container('mysql', ['sh', '-c', galera ? START_GALERA : START_MYSQL], {
      ports: [
        { name: 'mysql', containerPort: MYSQL_PORT },
        ...(galera ? [{ name: 'galera', containerPort: GALERA_PORTS.group }, { name: 'ist', containerPort: GALERA_PORTS.ist }, { name: 'sst', containerPort: GALERA_PORTS.sst }] : []),
      ],
      volumeMounts: [mounts.data, mounts.conf, mounts.cluster, mounts.run],
      // Ready means "answers SQL" (Galera: synced in the Primary component); it never decides
      // who may be promoted (ha-rules.md). No liveness probe: a long state transfer is never killed.
      readinessProbe: { httpGet: { path: '/ready', port: AGENT_PORT }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 2 },
      ...resources,
    }),
    container('agent', [...ORDINAL, 'agent', 'serve'], {
      ports: [{ name: 'agent', containerPort: AGENT_PORT }],
      env: [...env, ...archive.env],
      volumeMounts: [mounts.data, mounts.conf, mounts.cluster, mounts.secrets, mounts.run, ...archive.mounts],
      readinessProbe: { httpGet: { path: '/healthz', port: AGENT_PORT }, periodSeconds: 5 },
    }),
  ];
  if (c.spec.exporter.enabled) {
    containers.push(container('exporter', ['prometheus-mysqld-exporter', '--config.my-cnf=/etc/ordinal/mysql/exporter.cnf', `--web.listen-address=:${EXPORTER_PORT}`], {
      ports: [{ name: 'metrics', containerPort: EXPORTER_PORT }],
      volumeMounts: [mounts.conf],
    }));
  }

  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(owner, n.statefulSet),
    spec: {
      replicas: c.spec.replicas,
      serviceName: n.headless,
      // Galera: every pod at once. After all pods are deleted, the node to bootstrap from may be
      // any ordinal, and OrderedReady would wait for pod 0 to be Ready first: never.
      podManagementPolicy: galera ? 'Parallel' : 'OrderedReady',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: selectorLabels(owner.name) },
      template: {
        metadata: {
          labels: commonLabels(owner.name),
          annotations: {
            [CONFIG_HASH_ANNOTATION]: configHash(c),
            ...(c.spec.exporter.enabled ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(EXPORTER_PORT) } : {}),
          },
        },
        spec: {
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 60,
          initContainers: [
            container('init-config', [...ORDINAL, 'agent', 'init-config'], { volumeMounts: [mounts.data, mounts.conf, mounts.cluster, mounts.secrets] }),
            container('clone', [...ORDINAL, 'agent', 'init-data'], { volumeMounts: [mounts.data, mounts.conf, mounts.cluster, mounts.secrets, mounts.run] }),
          ],
          containers,
          volumes: [
            { name: 'conf', emptyDir: {} },
            { name: 'run', emptyDir: {} },
            { name: 'cluster', configMap: { name: n.config, items: [{ key: CLUSTER_FILE, path: CLUSTER_FILE }] } },
            { name: 'secrets', secret: { secretName: n.secrets, defaultMode: 0o400 } },
            ...archive.volumes,
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: DATA_VOLUME, labels: commonLabels(owner.name) },
          spec: {
            accessModes: storage.accessModes,
            ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
            resources: { requests: { storage: storage.size } },
          },
        },
      ],
    },
  };
}
