// The rules of spec.mode: which sections belong to which mode, and what Galera needs.
// A section counts as set when it is written and differs from its defaults: the defaults
// fill in every section, and a defaulted document (a ConfigMap's copy) must validate again.
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { FailoverSpec, GaleraSpec, SemiSyncSpec, type ClusterSpec } from './cluster.js';
import { providerOptionOwner } from './owned-settings.js';
import { settingValueProblem } from './common.js';
import type { FieldError } from './validate.js';

/** Sections that only a primary-replica cluster has, and why. */
const PRIMARY_REPLICA_ONLY: Record<string, string> = {
  semiSync: 'semi-synchronous replication is primary-replica only (Galera replicates every commit to all nodes)',
  failover: 'failover is primary-replica only (every Galera node is writable; the write endpoint moves by itself)',
  primaryOrdinal: 'is primary-replica only; with galera, `ordinal local switchover` moves the write node',
  pitr: 'is not supported with spec.mode galera yet',
  backupSchedule: 'is not supported with spec.mode galera yet',
};

const DEFAULTED: Record<string, TSchema> = { semiSync: SemiSyncSpec, failover: FailoverSpec, galera: GaleraSpec };

export function modeErrors(spec: ClusterSpec, written: unknown): FieldError[] {
  const raw = (written && typeof written === 'object' ? written : {}) as Record<string, unknown>;
  const set = (field: string) => field in raw && (!(field in DEFAULTED) || !Value.Equal(Value.Default(DEFAULTED[field], {}), raw[field]));
  if (spec.mode !== 'galera') {
    return set('galera') ? [{ path: 'spec.galera', message: 'applies only with spec.mode: galera' }] : [];
  }
  const errors: FieldError[] = [];
  if (Number.isInteger(spec.replicas) && (spec.replicas < 3 || spec.replicas % 2 === 0)) {
    errors.push({ path: 'spec.replicas', message: `must be odd and at least 3 with spec.mode galera (got ${spec.replicas}): a majority must remain when any one node is lost, and an even split leaves no side writable` });
  }
  for (const [field, why] of Object.entries(PRIMARY_REPLICA_ONLY)) {
    if (set(field)) errors.push({ path: `spec.${field}`, message: why });
  }
  const { basePort, readWritePort, readOnlyPort } = spec.local ?? {};
  if (Number.isInteger(basePort)) {
    // platform/local/ports.ts: + 12 is the all-nodes endpoint, + 20 .. + 46 the nodes' Galera ports.
    if (basePort! + 46 > 65535) errors.push({ path: 'spec.local.basePort', message: 'must be at most 65489 with spec.mode galera (the sandbox uses basePort .. basePort + 46)' });
    for (const [field, port] of [['readWritePort', readWritePort], ['readOnlyPort', readOnlyPort]] as const) {
      if (port !== undefined && port >= basePort! + 12 && port <= basePort! + 46) {
        errors.push({ path: `spec.local.${field}`, message: `collides with the Galera ports ${basePort! + 12}-${basePort! + 46}` });
      }
    }
  }
  const options = spec.galera?.providerOptions;
  for (const [key, value] of Object.entries(options && typeof options === 'object' ? options : {})) {
    const path = `spec.galera.providerOptions.${key}`;
    const owner = providerOptionOwner(key);
    const problem = !/^[a-z][a-z0-9_.]*$/i.test(key)
      ? 'is not a provider option name (letters, digits, "_" and ".")'
      : settingValueProblem(value) ?? (/;/.test(String(value)) ? 'must not contain ";" (it separates provider options)' : undefined);
    if (problem) errors.push({ path, message: problem });
    else if (owner) errors.push({ path, message: `is managed by Ordinal (${owner}) and cannot be overridden` });
  }
  return errors;
}
