// The read-write Service's endpoints, written by the operator itself (as Patroni writes its
// leader Endpoints): NAME-primary has no selector, so a failover does not wait for the
// endpoints controller to notice a label. The EndpointSlice is what kube-proxy reads; the
// Endpoints object is for people and tools, and is not mirrored into a second slice.
import { MYSQL_PORT, childMeta, namesOf, type Owned } from './names.js';

/** The primary's pod, or null while nobody may take writes (during a failover). */
export interface PrimaryAddress {
  ip: string;
  pod: string;
}

export type SliceApiVersion = 'discovery.k8s.io/v1' | 'discovery.k8s.io/v1beta1';

export function primaryEndpoints(owner: Owned, primary: PrimaryAddress | null, sliceApiVersion: SliceApiVersion) {
  const service = namesOf(owner.name, owner.namespace).primary;
  const meta = childMeta(owner, service);
  const targetRef = primary && { kind: 'Pod', name: primary.pod, namespace: owner.namespace };
  const port = { name: 'mysql', port: MYSQL_PORT, protocol: 'TCP' };
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { ...meta, labels: { ...meta.labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: primary ? [{ addresses: [{ ip: primary.ip, targetRef }], ports: [port] }] : [],
  };
  const slice = {
    apiVersion: sliceApiVersion,
    kind: 'EndpointSlice',
    metadata: {
      ...meta,
      labels: { ...meta.labels, 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'ordinal.dev' },
    },
    addressType: 'IPv4',
    endpoints: primary ? [{ addresses: [primary.ip], conditions: { ready: true }, targetRef }] : [],
    ports: [port],
  };
  return [slice, endpoints] as const;
}
