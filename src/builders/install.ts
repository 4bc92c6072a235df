// The objects that install the operator: CRDs, its namespace, identity, permissions, the
// Deployment and the metrics Service. Pure: `ordinal manifests install`, deploy/install.yaml
// and the Helm chart's templates are all rendered from these.
import { customResourceDefinitions } from '../api/crd.js';
import { API_GROUP } from '../api/cluster.js';

export const OPERATOR_NAME = 'ordinal-operator';
export const HEALTH_PORT = 8080;

export interface ResourceRequirements {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export interface InstallOptions {
  namespace: string;
  /** The operator's image; it is also the default image of the MariaDB pods (spec.engine.image). */
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  replicas: number;
  resources: ResourceRequirements;
  /** Off only for a single replica: two leaders would run two HA loops per cluster. */
  leaderElection: boolean;
}

export const INSTALL_DEFAULTS: InstallOptions = {
  namespace: 'ordinal-system',
  // The image the e2e harness builds (e2e/cluster/build-image.sh) and deploy/Containerfile describes.
  image: 'ordinal/mariadb:dev',
  imagePullPolicy: 'IfNotPresent',
  replicas: 2,
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  leaderElection: true,
};

export const operatorLabels = (): Record<string, string> => ({
  'app.kubernetes.io/name': 'ordinal',
  'app.kubernetes.io/component': 'operator',
  'app.kubernetes.io/part-of': 'ordinal',
});

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const READ = ['get', 'list', 'watch'];
// Children are written with server-side apply (patch); create and update cover the first write
// and clients that do not speak apply. Deletion is left to owner-reference garbage collection.
const APPLY = [...READ, 'create', 'update', 'patch'];
const CLUSTERS = 'mysqlclusters';
const BACKUPS = 'mysqlbackups';
const SCHEDULES = 'mysqlbackupschedules';
const RESTORES = 'mysqlrestores';

/** Cluster-wide: the operator watches its resources in every namespace. Each rule says why. */
export function operatorRules(): Rule[] {
  return [
    // Watch clusters; a request annotation (rebuild) is cleared with a patch once handled; a
    // restore creates its new cluster.
    { apiGroups: [API_GROUP], resources: [CLUSTERS], verbs: [...READ, 'create', 'patch'] },
    // Status is the HA state (recorded primary, operation in progress): written only here.
    { apiGroups: [API_GROUP], resources: [`${CLUSTERS}/status`], verbs: ['get', 'patch'] },
    // Children carry blockOwnerDeletion, which the OwnerReferencesPermissionEnforcement admission
    // plugin allows only to who may update the owner's finalizers.
    { apiGroups: [API_GROUP], resources: [`${CLUSTERS}/finalizers`], verbs: ['update'] },
    // Backups: a finalizer (deletionPolicy Delete) is added and removed with a patch; status is
    // the backup's outcome; its Jobs carry blockOwnerDeletion (see above).
    // Schedules create backups (apply) and delete the ones beyond their limits.
    { apiGroups: [API_GROUP], resources: [BACKUPS], verbs: [...APPLY, 'delete'] },
    { apiGroups: [API_GROUP], resources: [`${BACKUPS}/status`], verbs: ['get', 'patch'] },
    { apiGroups: [API_GROUP], resources: [`${BACKUPS}/finalizers`], verbs: ['update'] },
    { apiGroups: [API_GROUP], resources: [SCHEDULES], verbs: READ },
    { apiGroups: [API_GROUP], resources: [`${SCHEDULES}/status`], verbs: ['get', 'patch'] },
    { apiGroups: [API_GROUP], resources: [RESTORES], verbs: READ },
    { apiGroups: [API_GROUP], resources: [`${RESTORES}/status`], verbs: ['get', 'patch'] },
    { apiGroups: [API_GROUP], resources: [`${RESTORES}/finalizers`], verbs: ['update'] },
    // A backup runs in a Job (it mounts the storage and the S3 keys, not the operator); a failed
    // delete Job is deleted to be tried again.
    { apiGroups: ['batch'], resources: ['jobs'], verbs: [...APPLY, 'delete'] },
    // One StatefulSet per cluster: ordinals, stable storage, stable names.
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: APPLY },
    // Headless, primary, replicas and read Services; the cluster's ConfigMap (cluster.json).
    { apiGroups: [''], resources: ['services', 'configmaps'], verbs: APPLY },
    // The cluster's generated passwords (NAME-secrets), read by name along with the Secret a
    // spec names (spec.database.passwordSecretRef). No list or watch: the operator never needs
    // to see every Secret in the cluster. A failed restore deletes the one it created.
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch', 'delete'] },
    // spec.storage.pvcRetention: whenDeleted hands claims to the cluster (an owner reference, a
    // patch) so the garbage collector removes them with it; whenScaled deletes a removed
    // instance's claim; a rebuild deletes one. The StatefulSet creates them, except instance
    // 0's of a restored cluster, which its restore creates and fills first.
    { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: [...READ, 'create', 'patch', 'delete'] },
    // NAME-primary's endpoints are written by the HA loop itself (no selector): a failover
    // does not wait for the endpoints controller.
    { apiGroups: [''], resources: ['endpoints'], verbs: APPLY },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: APPLY },
    // One rule covers policy/v1 and policy/v1beta1: RBAC grants a group, not a version.
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: APPLY },
    // Role and health labels route traffic; deleting a pod restarts (fences) or rebuilds an
    // instance. No pods/exec: everything inside a pod goes through its agent over HTTP.
    { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'patch', 'delete'] },
    // Events for people: events.k8s.io/v1 where served, core v1 events on older servers.
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ];
}

/** Namespaced: the leader-election Lease lives next to the operator, nowhere else. */
export function leaderElectionRules(): Rule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }];
}

const meta = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: operatorLabels(),
  ...extra,
});

export function serviceAccount(o: InstallOptions) {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(OPERATOR_NAME, o.namespace) };
}

export function clusterRole() {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(OPERATOR_NAME), rules: operatorRules() };
}

const subject = (o: InstallOptions) => [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: o.namespace }];

export function clusterRoleBinding(o: InstallOptions) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(OPERATOR_NAME),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_NAME },
    subjects: subject(o),
  };
}

export const LEADER_ELECTION_ROLE = `${OPERATOR_NAME}-leader-election`;

export function leaderElectionRole(o: InstallOptions) {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(LEADER_ELECTION_ROLE, o.namespace), rules: leaderElectionRules() };
}

export function leaderElectionRoleBinding(o: InstallOptions) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(LEADER_ELECTION_ROLE, o.namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: LEADER_ELECTION_ROLE },
    subjects: subject(o),
  };
}

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

export function operatorArgs(o: InstallOptions): string[] {
  return [...(o.leaderElection ? ['--leader-elect'] : []), '--health-port', String(HEALTH_PORT), '--image', o.image];
}

export function deployment(o: InstallOptions) {
  const probe = (path: string, periodSeconds: number) => ({ httpGet: { path, port: 'http' }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(OPERATOR_NAME, o.namespace),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: operatorLabels() },
      template: {
        metadata: { labels: operatorLabels() },
        spec: {
          serviceAccountName: OPERATOR_NAME,
          securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
          // Spread the replicas so one node failure leaves a standby ready to take the lease.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: operatorLabels() } },
              }],
            },
          },
          containers: [{
            name: 'operator',
            image: o.image,
            imagePullPolicy: o.imagePullPolicy,
            command: ['node', '/opt/ordinal/bin/ordinal.js', 'operator'],
            args: operatorArgs(o),
            env: [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
            ports: [{ name: 'http', containerPort: HEALTH_PORT, protocol: 'TCP' }],
            livenessProbe: { ...probe('/healthz', 10), initialDelaySeconds: 10 },
            readinessProbe: probe('/readyz', 5),
            resources: o.resources,
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  };
}

export function metricsService(o: InstallOptions) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(`${OPERATOR_NAME}-metrics`, o.namespace, {
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(HEALTH_PORT), 'prometheus.io/path': '/metrics' },
    }),
    spec: { selector: operatorLabels(), ports: [{ name: 'http', port: HEALTH_PORT, targetPort: 'http', protocol: 'TCP' }] },
  };
}

/** Everything in the operator's namespace and its cluster-wide permissions, without CRDs. */
export function operatorObjects(o: InstallOptions): object[] {
  return [
    serviceAccount(o),
    clusterRole(),
    clusterRoleBinding(o),
    ...(o.leaderElection ? [leaderElectionRole(o), leaderElectionRoleBinding(o)] : []),
    deployment(o),
    metricsService(o),
  ];
}

/** The whole bundle, in the order `kubectl apply` needs: CRDs and the namespace first. */
export function installBundle(o: InstallOptions = INSTALL_DEFAULTS): object[] {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: operatorLabels() } };
  return [...customResourceDefinitions(), namespace, ...operatorObjects(o)];
}
