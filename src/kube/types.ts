// The Kubernetes vocabulary other layers may use without importing client-node themselves.
// Model classes are re-exported as types only: objects built by builders are plain literals.
export type {
  KubeConfig,
  KubernetesObject,
  V1ObjectMeta,
  V1OwnerReference,
  V1Condition,
  V1Pod,
  V1StatefulSet,
  V1Service,
  V1ConfigMap,
  V1Secret,
  V1PodDisruptionBudget,
  V1Lease,
  CoreV1Event,
} from '@kubernetes/client-node';

/** Any object as the API server sends it (plain JSON: timestamps are strings). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** What an object is, without its content: enough to address it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key caches and queues use. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
