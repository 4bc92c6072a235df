// In-memory stand-ins for src/kube in the controllers' unit tests: an Applier that keeps the
// objects it is given and logs every write, and an informer cache over a plain list.
import type { ObjectCache } from '../../src/kube/informer.js';
import { objectKey, type KubeObject, type ObjectRef } from '../../src/kube/types.js';
import type { Owned } from '../../src/builders/names.js';

const keyOf = (r: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: null removes a key, objects merge, anything else replaces. */
function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/** The owner every controller test uses (validCluster in fixtures.ts). */
export const OWNER: Owned = { name: 'demo', namespace: 'db', uid: 'uid-demo' };

export class FakeApplier {
  private readonly objects = new Map<string, KubeObject>();
  /** Every write in order: `apply Secret/demo-secrets`, `patch PersistentVolumeClaim/data-demo-1`, `delete Pod/demo-2`. */
  readonly writes: string[] = [];

  /** Objects that exist before the test acts (not logged as writes). */
  put(...objs: KubeObject[]): this {
    for (const o of objs) this.objects.set(keyOf({ kind: o.kind!, namespace: o.metadata?.namespace, name: o.metadata!.name! }), structuredClone(o));
    return this;
  }

  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const o = this.objects.get(keyOf(ref));
    return o && (structuredClone(o) as T);
  }

  /** Server-side apply as this test sees it: the object becomes what was sent. */
  async apply<T extends KubeObject>(obj: T): Promise<T> {
    this.writes.push(`apply ${obj.kind}/${obj.metadata?.name}`);
    this.put(obj);
    return structuredClone(obj);
  }

  async mergePatch(ref: ObjectRef, body: unknown): Promise<void> {
    this.writes.push(`patch ${ref.kind}/${ref.name}`);
    const current = this.objects.get(keyOf(ref));
    if (!current) throw new Error(`${ref.kind} ${ref.name} not found`);
    this.objects.set(keyOf(ref), merge(current, body) as KubeObject);
  }

  /** The status subresource, as a merge patch. */
  async patchStatus(ref: ObjectRef, status: unknown): Promise<void> {
    this.writes.push(`status ${ref.kind}/${ref.name}`);
    const current = this.objects.get(keyOf(ref)) ?? { kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
    this.objects.set(keyOf(ref), merge(current, { status }) as KubeObject);
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.writes.push(`delete ${ref.kind}/${ref.name}`);
    return this.objects.delete(keyOf(ref));
  }
}

/** An informer's cache over `objects`; change the array to change what it holds. */
export function fakeCache(objects: KubeObject[]): ObjectCache {
  return {
    get: (key) => objects.find((o) => objectKey(o.metadata?.namespace, o.metadata?.name ?? '') === key),
    list: () => [...objects],
  };
}

/** Events as `Type Reason: message`, in order. */
export class FakeEvents {
  readonly seen: string[] = [];
  async record(_obj: ObjectRef, type: string, reason: string, message: string): Promise<void> {
    this.seen.push(`${type} ${reason}: ${message}`);
  }
  normal(obj: ObjectRef, reason: string, message: string): Promise<void> {
    return this.record(obj, 'Normal', reason, message);
  }
  warning(obj: ObjectRef, reason: string, message: string): Promise<void> {
    return this.record(obj, 'Warning', reason, message);
  }
}
