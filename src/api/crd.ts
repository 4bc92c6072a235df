// CustomResourceDefinitions generated from the TypeBox schemas, so the API server, the
// validator and the TypeScript types can never disagree. The OpenAPI must be *structural*
// (every node typed, no anyOf at the top of a node) and speak only the subset of JSON Schema
// that apiextensions.k8s.io/v1 knows; Kubernetes 1.20 is the oldest target, so no CEL.
import type { TSchema } from 'typebox';
import { MySQLBackup, BACKUP_KIND } from './backup.js';
import { API_GROUP, CLUSTER_KIND, CRD_VERSION, MySQLCluster } from './cluster.js';
import { MySQLRestore, RESTORE_KIND } from './restore.js';
import { MySQLBackupSchedule, SCHEDULE_KIND } from './schedule.js';

export type OpenApiSchema = { [keyword: string]: unknown };

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface ResourceKind {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  schema: TSchema;
  columns: PrinterColumn[];
  /** `kubectl scale` and autoscalers: the cluster's replicas. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const phase: PrinterColumn = { name: 'Phase', type: 'string', jsonPath: '.status.phase' };
const cluster: PrinterColumn = { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' };

export const RESOURCE_KINDS: ResourceKind[] = [
  {
    kind: CLUSTER_KIND, plural: 'mysqlclusters', singular: 'mysqlcluster', shortNames: ['myc'],
    description: 'A highly available MariaDB cluster: one primary, semi-synchronous replicas, automatic failover.',
    schema: MySQLCluster,
    columns: [
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'string', jsonPath: '.status.ready', description: 'ready instances / replicas' },
      { name: 'Primary', type: 'integer', jsonPath: '.status.primary', description: 'ordinal of the primary' },
      phase,
      age,
    ],
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  },
  {
    kind: BACKUP_KIND, plural: 'mysqlbackups', singular: 'mysqlbackup', shortNames: ['myb'],
    description: 'One backup of a MySQLCluster, to S3 or to a PersistentVolumeClaim.',
    schema: MySQLBackup,
    columns: [
      cluster, { name: 'Method', type: 'string', jsonPath: '.spec.method' }, phase,
      { name: 'GTID', type: 'string', jsonPath: '.status.gtid', description: 'the position the backup is consistent with' },
      { name: 'Bytes', type: 'integer', jsonPath: '.status.bytes', description: 'stored (compressed) size' },
      age,
    ],
  },
  {
    kind: RESTORE_KIND, plural: 'mysqlrestores', singular: 'mysqlrestore', shortNames: ['myr'],
    description: 'A new MySQLCluster created from a backup.',
    schema: MySQLRestore,
    columns: [cluster, { name: 'Backup', type: 'string', jsonPath: '.spec.backupName' }, phase, age],
  },
  {
    kind: SCHEDULE_KIND, plural: 'mysqlbackupschedules', singular: 'mysqlbackupschedule', shortNames: ['mybs'],
    description: 'MySQLBackups of a cluster taken on a cron schedule, the oldest deleted beyond a limit.',
    schema: MySQLBackupSchedule,
    columns: [
      cluster,
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
      { name: 'Last success', type: 'date', jsonPath: '.status.lastSuccessTime', description: 'when the newest completed backup finished' },
      { name: 'Next', type: 'string', jsonPath: '.status.nextScheduleTime', description: 'the next run (UTC)' },
      age,
    ],
  },
];

/** The keywords copied as they are; everything else (errorMessage, $id, const, symbols ...) is dropped. */
export const KEPT_KEYWORDS = ['description', 'default', 'enum', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const;

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

export function customResourceDefinitions(): OpenApiSchema[] {
  return RESOURCE_KINDS.map(customResourceDefinition);
}

export function customResourceDefinition(r: ResourceKind): OpenApiSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${r.plural}.${API_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'ordinal' } },
    spec: {
      group: API_GROUP,
      scope: 'Namespaced',
      names: { kind: r.kind, listKind: `${r.kind}List`, plural: r.plural, singular: r.singular, shortNames: r.shortNames, categories: ['ordinal'] },
      versions: [{
        name: CRD_VERSION,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: resourceSchema(r) },
        subresources: r.scale ? { status: {}, scale: r.scale } : { status: {} },
        additionalPrinterColumns: r.columns,
      }],
    },
  };
}

/** The top of a resource: the API server owns apiVersion, kind and metadata; the operator owns status. */
function resourceSchema(r: ResourceKind): OpenApiSchema {
  const spec = (r.schema as unknown as { properties: Record<string, TSchema> }).properties.spec;
  return {
    type: 'object',
    description: r.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: toOpenApi(spec, 'spec'),
      status: { type: 'object', [PRESERVE]: true },
    },
  };
}

/** One TypeBox schema as structural OpenAPI v3; throws on a shape Kubernetes cannot express. */
export function toOpenApi(schema: TSchema, path: string): OpenApiSchema {
  const s = schema as unknown as Record<string, unknown>;
  const out: OpenApiSchema = { type: typeOf(s, path) };
  for (const k of KEPT_KEYWORDS) if (s[k] !== undefined) out[k] = structuredClone(s[k]);
  // A literal is a one-value enum: apiextensions v1 has no const.
  if (s.const !== undefined) out.enum = [s.const];
  if (out.type === 'array') out.items = toOpenApi(s.items as TSchema, `${path}[]`);
  if (out.type === 'object') Object.assign(out, objectShape(s, path));
  return out;
}

function typeOf(s: Record<string, unknown>, path: string): string {
  if (typeof s.type === 'string') return s.type;
  const values = (s.enum as unknown[] | undefined) ?? [];
  const types = new Set(values.map((v) => typeof v));
  if (types.size === 1 && ['string', 'number', 'boolean'].includes([...types][0])) return [...types][0];
  throw new Error(`${path}: no structural OpenAPI type for ${JSON.stringify(s)} (unions and untyped values cannot be CRD fields)`);
}

function objectShape(s: Record<string, unknown>, path: string): OpenApiSchema {
  const patterns = s.patternProperties as Record<string, TSchema> | undefined;
  if (patterns) {
    // Type.Record(String, X): a map. Unknown values keep whatever the user wrote.
    const [key, value] = Object.entries(patterns)[0] ?? [];
    if (Object.keys(patterns).length !== 1 || key !== '^.*$') throw new Error(`${path}: only Record(String, X) maps are supported`);
    const v = value as unknown as Record<string, unknown>;
    return v.type === undefined && v.enum === undefined && v.const === undefined
      ? { [PRESERVE]: true }
      : { additionalProperties: toOpenApi(value, `${path}.*`) };
  }
  const properties = (s.properties ?? {}) as Record<string, TSchema>;
  const converted = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toOpenApi(v, `${path}.${k}`)]));
  // A field with a default is filled in by the API server, so it must not be required of
  // the user (kubectl's client-side validation would refuse a document that omits it).
  const required = ((s.required ?? []) as string[]).filter((k) => converted[k]?.default === undefined);
  return {
    ...(required.length ? { required } : {}),
    ...(Object.keys(converted).length ? { properties: converted } : {}),
    ...(s.additionalProperties === true ? { [PRESERVE]: true } : {}),
  };
}
