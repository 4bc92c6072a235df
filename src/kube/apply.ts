// Writes: server-side apply for children, the status subresource for our own resources, deletes.
// Any apiVersion/kind works (policy/v1beta1 included) because paths come from discovery.
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from './client.js';
import { apiRoot, type Discovery } from './discovery.js';
import { kubeRequest } from './request.js';
import type { KubeObject, ObjectRef } from './types.js';

export const FIELD_MANAGER = 'ordinal';

export type JsonPatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

export type Propagation = 'Foreground' | 'Background' | 'Orphan';

export interface ApplierOptions {
  fieldManager?: string;
  /** Checked before every write: false once this process no longer leads (it must not write). */
  mayWrite?: () => boolean;
}

export class Applier {
  readonly fieldManager: string;

  constructor(
    private readonly kc: KubeConfig,
    private readonly discovery: Discovery,
    private readonly opts: ApplierOptions = {},
  ) {
    this.fieldManager = opts.fieldManager ?? FIELD_MANAGER;
  }

  private gate(): void {
    if (this.opts.mayWrite && !this.opts.mayWrite()) throw new NotLeadingError();
  }

  /**
   * Server-side apply with force: we own every field we send, other managers keep theirs.
   * Sending the same object twice changes nothing (no new resourceVersion).
   */
  async apply<T extends KubeObject>(obj: T): Promise<T> {
    // JSON is YAML: the apply content type accepts it.
    return this.patch<T>(await this.path(refOf(obj)), obj, 'application/apply-patch+yaml', { fieldManager: this.fieldManager, force: true });
  }

  /**
   * A JSON merge patch of `status` through the status subresource. With `resourceVersion` the
   * write fails with 409 if the object changed since it was read (optimistic concurrency).
   */
  async patchStatus<T extends KubeObject>(ref: ObjectRef, status: unknown, resourceVersion?: string): Promise<T> {
    const body: Record<string, unknown> = { status };
    if (resourceVersion) body.metadata = { resourceVersion };
    return this.patch<T>(`${await this.path(ref)}/status`, body, 'application/merge-patch+json', { fieldManager: this.fieldManager });
  }

  /**
   * A JSON patch (RFC 6902) through the status subresource: `add` replaces a field whole, where a
   * merge patch would keep keys the new value no longer has.
   */
  async jsonPatchStatus(ref: ObjectRef, ops: JsonPatchOp[], timeoutMs?: number): Promise<void> {
    await this.patch(`${await this.path(ref)}/status`, ops, 'application/json-patch+json', { fieldManager: this.fieldManager }, timeoutMs);
  }

  /** A JSON merge patch of an object (labels, owner references, annotations it does not own). */
  async mergePatch(ref: ObjectRef, body: unknown, timeoutMs?: number): Promise<void> {
    await this.patch(await this.path(ref), body, 'application/merge-patch+json', undefined, timeoutMs);
  }

  /** Every PATCH this sends: checked against leadership right before it leaves. */
  private patch<T>(path: string, body: unknown, contentType: string, query?: Record<string, string | boolean>, timeoutMs?: number): Promise<T> {
    this.gate();
    return kubeRequest<T>(this.kc, { method: 'PATCH', path, query, body, contentType, timeoutMs });
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await kubeRequest<T>(this.kc, { method: 'GET', path: await this.path(ref) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Delete; false when it was already gone. Without `gracePeriodSeconds`, the object's own. */
  async delete(ref: ObjectRef, propagation: Propagation = 'Background', opts: { gracePeriodSeconds?: number; timeoutMs?: number } = {}): Promise<boolean> {
    const { gracePeriodSeconds, timeoutMs } = opts;
    const path = await this.path(ref);
    this.gate();
    try {
      await kubeRequest(this.kc, {
        method: 'DELETE',
        path,
        timeoutMs,
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: propagation,
          ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
          ...(ref.uid ? { preconditions: { uid: ref.uid } } : {}),
        },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The object's URL path, e.g. `/apis/policy/v1beta1/namespaces/NS/poddisruptionbudgets/NAME`. */
  async path(ref: ObjectRef): Promise<string> {
    const res = await this.discovery.resource(ref.apiVersion, ref.kind);
    if (!res) throw new Error(`the server does not serve ${ref.kind} in ${ref.apiVersion}`);
    if (res.namespaced && !ref.namespace) throw new Error(`${ref.kind} ${ref.name} needs a namespace`);
    const ns = res.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace!)}` : '';
    return `${apiRoot(ref.apiVersion)}${ns}/${res.name}/${encodeURIComponent(ref.name)}`;
  }
}

/** The address of an object from its own apiVersion, kind and metadata. */
export function refOf(obj: KubeObject): ObjectRef {
  const name = obj.metadata?.name;
  if (!obj.apiVersion || !obj.kind || !name) throw new Error('an object needs apiVersion, kind and metadata.name');
  return { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace: obj.metadata?.namespace, uid: obj.metadata?.uid };
}

/** A write refused because this process no longer holds the leader Lease. */
export class NotLeadingError extends Error {
  constructor() {
    super('this operator no longer holds the leader Lease; it does not write');
  }
}
