// The MySQLCluster resource, defined once: the TypeScript type, the validator and
// (through crd.ts, later) the CRD's OpenAPI schema all come from these TypeBox schemas.
import Type, { type Static, type TSchema } from 'typebox';
import { dnsLabel, quantity, section, sqlIdentifier } from './common.js';
import { CRON_HINT, CRON_PATTERN } from './cron.js';
import { BackupMethod, BackupStorage } from './storage.js';

/** The API group of every Ordinal resource, and the one version its CRDs serve. */
export const API_GROUP = 'ordinal.dev';
export const CRD_VERSION = 'v1alpha1';
/** What each Ordinal resource carries as `apiVersion`. */
export const API_VERSION = `${API_GROUP}/${CRD_VERSION}` as const;
export const CLUSTER_KIND = 'MySQLCluster';
/** Enough to address a MySQLCluster (add name and namespace) or to watch them all. */
export const CLUSTER_API = { apiVersion: API_VERSION, kind: CLUSTER_KIND } as const;
/** A request a person sets on a MySQLCluster (`ordinal rebuild NAME N`): clone instance N again. */
export const REBUILD_ANNOTATION = `${API_GROUP}/rebuild`;
/** Galera: bootstrap from this node (an ordinal) the next time no Primary component exists. */
export const RECOVER_ANNOTATION = `${API_GROUP}/recover-from`;

export const EngineSpec = section({
  version: Type.String({
    pattern: '^10\\.11(\\.[0-9]+)?$',
    default: '10.11',
    errorMessage: 'must be a MariaDB 10.11 version such as "10.11" or "10.11.6"',
  }),
  image: Type.Optional(Type.String({ minLength: 1, errorMessage: 'must be a container image reference' })),
  imagePullPolicy: Type.Optional(Type.Enum(['Always', 'IfNotPresent', 'Never'], {
    errorMessage: 'must be Always, IfNotPresent or Never',
  })),
}, { default: {} });

export const MariaDBSpec = section({
  // Extra [mariadbd] settings. Keys that the HA logic owns are refused by validate.ts.
  // Values are checked in validate.ts: a string, number or boolean each.
  config: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
}, { default: {} });

export const SemiSyncSpec = section({
  enabled: Type.Boolean({ default: true }),
  // Longer than any failover, so the primary never silently degrades to async
  // while replicas are fenced; see docs/invariants.md.
  timeoutSeconds: Type.Integer({ minimum: 10, maximum: 31536000, default: 86400 }),
}, { default: {} });

export const FailoverSpec = section({
  enabled: Type.Boolean({ default: true }),
  // How long the primary may stay unreachable (with replicas agreeing) before it is
  // declared failed; a shorter pause is a blip. Replicas' slave_net_timeout follows it.
  detectionWindowSeconds: Type.Integer({ minimum: 2, maximum: 120, default: 4 }),
  // Anti-flapping: no automatic failover sooner than this after the previous one.
  minIntervalSeconds: Type.Integer({ minimum: 0, maximum: 86400, default: 60 }),
}, { default: {} });

export const SecretKeyRef = section({
  name: dnsLabel(),
  key: Type.String({ minLength: 1, default: 'password' }),
});

export const DatabaseSpec = section({
  name: sqlIdentifier({ default: 'app' }),
  user: Type.String({
    pattern: '^[A-Za-z_][A-Za-z0-9_]{0,31}$',
    default: 'app',
    errorMessage: 'must be a user name of 1-32 letters, digits or underscores, not starting with a digit',
  }),
  // The password is generated unless one of these names it. Never inline in the spec.
  passwordSecretRef: Type.Optional(SecretKeyRef),
  passwordFile: Type.Optional(Type.String({ minLength: 1, errorMessage: 'must be a file path' })),
}, { default: {} });

const ResourceList = section({ cpu: Type.Optional(quantity()), memory: Type.Optional(quantity()) });

export const ResourcesSpec = section({
  requests: Type.Optional(ResourceList),
  limits: Type.Optional(ResourceList),
});

export const StorageSpec = section({
  size: quantity({ default: '10Gi' }),
  storageClassName: Type.Optional(dnsLabel()),
  accessModes: Type.Array(
    Type.Enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'], {
      errorMessage: 'must be ReadWriteOnce, ReadWriteOncePod or ReadWriteMany',
    }),
    { minItems: 1, default: ['ReadWriteOnce'] },
  ),
  // What happens to an instance's PersistentVolumeClaim when the cluster is deleted or
  // scaled down. Retain (the default) keeps the data until a person deletes it.
  pvcRetention: section({
    whenDeleted: retention(),
    whenScaled: retention(),
  }, { default: {} }),
}, { default: {} });

export const ExporterSpec = section({
  // The mysqld-exporter sidecar (Prometheus metrics on port 9104).
  enabled: Type.Boolean({ default: true }),
}, { default: {} });

function retention() {
  return Type.Enum(['Retain', 'Delete'], { default: 'Retain', errorMessage: 'must be Retain or Delete' });
}

const Port = Type.Integer({ minimum: 1024, maximum: 65535 });

export const LocalSpec = section({
  // Instance i listens on basePort + i; the endpoints default to basePort + 10 and + 11.
  basePort: Type.Optional(Port),
  readWritePort: Type.Optional(Port),
  readOnlyPort: Type.Optional(Port),
}, { default: {} });

export const PitrSpec = section({
  // Where the primary's binary logs are archived; exactly one backend.
  storage: BackupStorage,
  // The RPO bound: the open binary log is closed and archived at least this often.
  archiveIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
});

// Sandbox only (the supervisor runs it); on Kubernetes a MySQLBackupSchedule does this.
export const LocalBackupScheduleSpec = section({
  schedule: Type.String({
    pattern: CRON_PATTERN,
    description: `5-field cron expression in UTC: ${CRON_HINT}`,
    errorMessage: `must be a cron expression of 5 fields: ${CRON_HINT}`,
  }),
  location: Type.String({
    pattern: '^(file:///|s3://[a-z0-9])',
    description: 'file:///absolute/dir or s3://bucket/prefix (endpoint and credentials from the AWS environment)',
    errorMessage: 'must be file:///absolute/dir or s3://bucket/prefix',
  }),
  method: BackupMethod,
  keep: Type.Integer({ minimum: 1, maximum: 1000, default: 7, description: 'how many backups to keep; older ones are deleted with their files' }),
  suspend: Type.Boolean({ default: false }),
  verify: Type.Boolean({ default: false, description: 'prove each new backup restorable (ordinal local verify)' }),
});

// Galera multi-primary (spec.mode: galera): every node takes writes; Ordinal owns the
// wsrep settings and routes writes to one synced node at a time.
export const GaleraSpec = section({
  // How a node that is too far behind for the donor's gcache gets a full copy.
  sstMethod: Type.Enum(['mariabackup', 'rsync'], { default: 'mariabackup', errorMessage: 'must be mariabackup or rsync' }),
  // Write-sets kept for incremental state transfer (IST) to a node that was away.
  gcacheSize: Type.String({ pattern: '^[1-9][0-9]*[KMG]?$', default: '128M', errorMessage: 'must be a size such as "128M" or "1G"' }),
  // Flow control: a node pauses the cluster when its receive queue passes this many write-sets.
  flowControlLimit: Type.Integer({ minimum: 1, maximum: 100000, default: 64 }),
  // A donor serving a full copy stays routed (it can be slow meanwhile).
  availableWhenDonor: Type.Boolean({ default: false }),
  // Other wsrep_provider_options, key = value; the ones Ordinal sets are refused by name.
  // Values are checked in validate.ts like spec.mariadb.config's.
  providerOptions: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
}, { default: {} });

export const CLUSTER_MODES = ['primaryReplica', 'galera'] as const;

export const ClusterSpec = section({
  replicas: Type.Integer({ minimum: 1, maximum: 9, default: 3 }),
  // primaryReplica: one writable primary, semi-sync replicas, failover. galera: multi-primary.
  mode: Type.Enum([...CLUSTER_MODES], { default: 'primaryReplica', errorMessage: 'must be primaryReplica or galera' }),
  galera: GaleraSpec,
  engine: EngineSpec,
  mariadb: MariaDBSpec,
  semiSync: SemiSyncSpec,
  failover: FailoverSpec,
  database: DatabaseSpec,
  resources: Type.Optional(ResourcesSpec),
  storage: StorageSpec,
  exporter: ExporterSpec,
  // Point-in-time recovery: continuous archiving of the binary logs.
  pitr: Type.Optional(PitrSpec),
  backupSchedule: Type.Optional(LocalBackupScheduleSpec),
  // The instance that should be primary. When it is a healthy replica the operator
  // switches over to it; `ordinal switchover` sets it. Unset: wherever failover put it.
  primaryOrdinal: Type.Optional(Type.Integer({ minimum: 0, maximum: 8 })),
  local: LocalSpec,
});

export const ObjectMeta = Type.Object(
  {
    name: dnsLabel({ maxLength: 40 }),
    namespace: Type.Optional(dnsLabel()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  // Kubernetes adds uid, generation, resourceVersion ...: tolerate them.
  { additionalProperties: true },
);

/** A custom resource of this API: its header, a spec, and a status that only the operator writes. */
export function resource<K extends string, S extends TSchema>(kind: K, spec: S) {
  return section({
    apiVersion: Type.Literal(API_VERSION, { errorMessage: `must be "${API_VERSION}"` }),
    kind: Type.Literal(kind, { errorMessage: `must be "${kind}"` }),
    metadata: ObjectMeta,
    spec,
    status: Type.Optional(Type.Unknown()),
  });
}

export const MySQLCluster = resource(CLUSTER_KIND, ClusterSpec);

export type MySQLCluster = Static<typeof MySQLCluster>;
export type ClusterSpec = Static<typeof ClusterSpec>;
export type GaleraSpec = Static<typeof GaleraSpec>;
