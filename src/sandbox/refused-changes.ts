// PURE: what `ordinal local up` refuses on an existing cluster: the spec's own rules
// (api/changes.ts; the sandbox has no volumes) and its ports, fixed at creation.
import type { ClusterSpec } from '../api/cluster.js';
import { refusedBootstrapChanges } from '../api/changes.js';
import type { FieldError } from '../api/validate.js';
import type { Ports } from '../platform/local/ports.js';

export function refusedSandboxChanges(previous: ClusterSpec, next: ClusterSpec, ports: Ports): FieldError[] {
  return [...refusedPortChanges(next.local, ports), ...refusedBootstrapChanges(previous, next)];
}

/** A port the spec names must be the one chosen at creation; an unset one keeps it. */
export function refusedPortChanges(local: ClusterSpec['local'], ports: Ports): FieldError[] {
  const fixed: Array<[keyof ClusterSpec['local'], number]> = [
    ['basePort', ports.basePort],
    ['readWritePort', ports.readWrite],
    ['readOnlyPort', ports.readOnly],
  ];
  return fixed
    .filter(([field, port]) => local[field] !== undefined && local[field] !== port)
    .map(([field, port]) => ({ path: `spec.local.${field}`, message: `cannot change on an existing cluster (it is ${port})` }));
}
