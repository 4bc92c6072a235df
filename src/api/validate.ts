// Turns a parsed document into a typed, defaulted MySQLCluster, or into a list of
// errors that each name the field by its path and say what is wrong in plain words.
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { CLUSTER_KIND, MySQLCluster, type ClusterSpec } from './cluster.js';
import { cronProblem } from './cron.js';
import { kubeStorageErrors, storageErrors } from './storage.js';
import { ownerOf } from './owned-settings.js';
import { modeErrors } from './mode-rules.js';
import { settingValueProblem } from './common.js';

export interface FieldError {
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export class InvalidSpecError extends Error {
  constructor(readonly errors: FieldError[], what: string = CLUSTER_KIND) {
    super(`invalid ${what}:\n${errors.map((e) => `  - ${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'InvalidSpecError';
  }
}

export function validateCluster(doc: unknown): Validated<MySQLCluster> {
  // The mode rules look at the fields as written: defaults would fill in primary-replica sections.
  const written = (doc as { spec?: unknown } | null)?.spec;
  return validateResource<MySQLCluster>(MySQLCluster, doc, CLUSTER_KIND, (c) => [...semanticErrors(c.spec), ...modeErrors(c.spec, written)]);
}

/**
 * Any custom resource: defaults applied, then every schema violation, then the rules a schema
 * cannot say (`semantic`). Those run even when the schema found problems, so one run names them
 * all; they may skip values of the wrong shape, which the schema has already reported.
 */
export function validateResource<T>(
  schema: TSchema,
  doc: unknown,
  kind: string,
  semantic: (value: T) => FieldError[] = () => [],
): Validated<T> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, errors: [{ path: '(document)', message: `must be a YAML or JSON object with apiVersion, kind, metadata and spec (a ${kind})` }] };
  }
  const value = Value.Default(schema, Value.Clone(doc)) as T;
  const errors = schemaErrors(schema, value);
  const reported = new Set(errors.map((e) => e.path));
  try {
    errors.push(...semantic(value).filter((e) => !reported.has(e.path)));
  } catch {
    // a section of the wrong type: already reported by the schema
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

/** A validated resource, or an InvalidSpecError naming every problem. */
export function parseResource<T>(validated: Validated<T>, kind: string): T {
  if (!validated.ok) throw new InvalidSpecError(validated.errors, kind);
  return validated.value;
}

export function parseCluster(doc: unknown): MySQLCluster {
  return parseResource(validateCluster(doc), CLUSTER_KIND);
}

/** Every schema violation, once per field, the most specific message first. */
export function schemaErrors(schema: TSchema, value: unknown): FieldError[] {
  const seen = new Map<string, FieldError>();
  for (const e of Value.Errors(schema, value) as unknown as Iterable<RawError>) {
    const error = humanize(e, schema);
    if (error.path && !seen.has(error.path)) seen.set(error.path, error);
  }
  return [...seen.values()];
}

interface RawError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

function humanize(e: RawError, root: unknown): FieldError {
  const base = pointerToPath(e.instancePath);
  const schema = schemaAt(root, e.schemaPath) as { errorMessage?: string; properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params.requiredProperties as string[] | undefined) ?? [String(e.params.missingProperty ?? '')];
      return { path: join(base, missing[0]), message: 'is required' };
    }
    case 'additionalProperties':
      return { path: '', message: '' }; // reported per field through the 'boolean' case
    case 'boolean':
      // additionalProperties: false reports each unknown field like this.
      return unknownField(base, schemaAt(root, e.schemaPath.replace(/\/additionalProperties$/, '')));
    case 'const':
    case 'enum':
    case 'pattern':
      return { path: base, message: schema?.errorMessage ?? e.message };
    case 'type':
      return { path: base, message: schema?.errorMessage ?? `must be ${article(String(e.params.type))}` };
    case 'minimum':
    case 'exclusiveMinimum':
      return { path: base, message: `must be at least ${e.params.limit}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { path: base, message: `must be at most ${e.params.limit}` };
    case 'maxLength':
      return { path: base, message: `must be at most ${e.params.limit} characters long` };
    case 'minLength':
      return { path: base, message: schema?.errorMessage ?? 'must not be empty' };
    case 'minItems':
      return { path: base, message: `must have at least ${e.params.limit} item(s)` };
    default:
      return { path: base, message: schema?.errorMessage ?? e.message };
  }
}

function unknownField(path: string, parent: unknown): FieldError {
  const known = Object.keys((parent as { properties?: object } | undefined)?.properties ?? {});
  const field = path.split('.').pop() ?? path;
  const hint = closest(field, known);
  return {
    path,
    message: `is not a known field${hint ? ` (did you mean "${hint}"?)` : known.length ? ` (known fields: ${known.join(', ')})` : ''}`,
  };
}

/** What a cluster spec may not hold on Kubernetes: sandbox-only parts, S3 without keys. */
export function kubeClusterErrors(spec: ClusterSpec): FieldError[] {
  const errors = kubeStorageErrors(spec.pitr?.storage, 'spec.pitr.storage');
  if (spec.backupSchedule) errors.push({ path: 'spec.backupSchedule', message: 'is the sandbox\'s schedule; on Kubernetes create a MySQLBackupSchedule' });
  return errors;
}

function semanticErrors(spec: ClusterSpec): FieldError[] {
  const errors: FieldError[] = storageErrors(spec.pitr?.storage, 'spec.pitr.storage');
  const cron = typeof spec.backupSchedule?.schedule === 'string' ? cronProblem(spec.backupSchedule.schedule) : undefined;
  if (cron) errors.push({ path: 'spec.backupSchedule.schedule', message: cron });
  const config = spec.mariadb.config;
  const entries = config && typeof config === 'object' && !Array.isArray(config) ? Object.entries(config) : [];
  for (const [key, value] of entries) {
    if (!/^[a-z][a-z0-9_-]*$/i.test(key)) {
      errors.push({ path: `spec.mariadb.config.${key}`, message: 'is not a MariaDB option name (letters, digits, "_" and "-")' });
      continue;
    }
    const problem = settingValueProblem(value);
    if (problem) {
      errors.push({ path: `spec.mariadb.config.${key}`, message: problem });
      continue;
    }
    const owner = ownerOf(key);
    if (owner) errors.push({ path: `spec.mariadb.config.${key}`, message: `is managed by Ordinal (${owner}) and cannot be overridden` });
  }
  if (spec.database.passwordFile && spec.database.passwordSecretRef) {
    errors.push({ path: 'spec.database.passwordFile', message: 'cannot be set together with spec.database.passwordSecretRef; choose one' });
  }
  const { basePort, readWritePort, readOnlyPort } = spec.local;
  if (!Number.isInteger(spec.replicas)) return errors;
  if (Number.isInteger(spec.primaryOrdinal) && spec.primaryOrdinal! >= spec.replicas) {
    errors.push({ path: 'spec.primaryOrdinal', message: `must name an existing instance: 0 to ${spec.replicas - 1} with ${spec.replicas} replica(s)` });
  }
  // The sandbox reserves basePort .. basePort + 11: nine instance slots and two endpoints.
  if (basePort !== undefined && basePort + 11 > 65535) {
    errors.push({ path: 'spec.local.basePort', message: 'must be at most 65524 (the sandbox uses basePort .. basePort + 11)' });
  }
  if (readWritePort !== undefined && readWritePort === readOnlyPort) {
    errors.push({ path: 'spec.local.readOnlyPort', message: 'must differ from spec.local.readWritePort' });
  }
  if (basePort !== undefined) {
    // Unset endpoint ports default to basePort + 10 and + 11 (platform/local/ports.ts).
    const rw = readWritePort ?? basePort + 10;
    const ro = readOnlyPort ?? basePort + 11;
    if (rw === ro && !(readWritePort !== undefined && readWritePort === readOnlyPort)) {
      errors.push({ path: readOnlyPort !== undefined ? 'spec.local.readOnlyPort' : 'spec.local.readWritePort', message: `must differ from the other endpoint's port (both would be ${rw})` });
    }
    for (const [field, port] of [['readWritePort', readWritePort], ['readOnlyPort', readOnlyPort]] as const) {
      if (port !== undefined && port >= basePort && port < basePort + 9) {
        errors.push({ path: `spec.local.${field}`, message: `collides with the instance ports ${basePort}-${basePort + 8}` });
      }
    }
  }
  return errors;
}

function pointerToPath(pointer: string): string {
  if (!pointer) return '(document)';
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^[0-9]+$/.test(seg) ? `${acc}[${seg}]` : join(acc, seg)), '');
}

function join(base: string, key: string): string {
  return !base || base === '(document)' ? key : `${base}.${key}`;
}

function schemaAt(root: unknown, schemaPath: string): unknown {
  let node: any = root;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node == null) return undefined;
    node = node[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The known name within edit distance 2 of a misspelt one, if any. */
export function closest(word: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
