// What the server serves, asked once and cached: Kubernetes 1.20 has policy/v1beta1 only, 1.25+
// policy/v1 only, so builders choose the version from here rather than from a version number.
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from './client.js';
import { kubeRequest } from './request.js';

export interface ApiResourceInfo {
  /** The plural resource name used in paths, e.g. `poddisruptionbudgets`. */
  name: string;
  namespaced: boolean;
  kind: string;
  subresources: string[];
}

interface ResourceList {
  resources: { name: string; namespaced: boolean; kind: string }[];
}

/** A kind missing from a cached list is looked up again (a CRD may have arrived), but not more often than this. */
const MISS_REFRESH_MS = 5_000;

export class Discovery {
  private versions?: { at: number; set: Promise<Set<string>> };
  private readonly lists = new Map<string, { at: number; list: Promise<ResourceList | undefined> }>();

  constructor(private readonly kc: KubeConfig) {}

  /** Every served group version, e.g. `v1`, `apps/v1`, `policy/v1beta1`. */
  groupVersions(): Promise<Set<string>> {
    return this.versionSet(false);
  }

  /** Is `kind` served under `apiVersion`? */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)) !== undefined;
  }

  /** The first of `apiVersions` (in preference order) that serves `kind`. */
  async preferred(kind: string, apiVersions: string[]): Promise<string | undefined> {
    for (const v of apiVersions) if (await this.serves(v, kind)) return v;
    return undefined;
  }

  async resource(apiVersion: string, kind: string): Promise<ApiResourceInfo | undefined> {
    // The group version may be new (a CRD installed after start): look once more before saying no.
    if (!(await this.versionSet(false)).has(apiVersion) && !(await this.versionSet(true)).has(apiVersion)) {
      return undefined;
    }
    let found = await this.find(apiVersion, kind, false);
    if (!found) found = await this.find(apiVersion, kind, true);
    return found;
  }

  /** Forget everything (after installing CRDs, for instance). */
  invalidate(): void {
    this.versions = undefined;
    this.lists.clear();
  }

  private versionSet(refresh: boolean): Promise<Set<string>> {
    if (!this.versions || (refresh && Date.now() - this.versions.at > MISS_REFRESH_MS)) {
      const entry = { at: Date.now(), set: this.fetchGroupVersions() };
      entry.set.catch(() => {
        if (this.versions === entry) this.versions = undefined; // never cache a failure
      });
      this.versions = entry;
    }
    return this.versions.set;
  }

  private async find(apiVersion: string, kind: string, refresh: boolean): Promise<ApiResourceInfo | undefined> {
    let entry = this.lists.get(apiVersion);
    if (!entry || (refresh && Date.now() - entry.at > MISS_REFRESH_MS)) {
      entry = { at: Date.now(), list: this.fetchList(apiVersion) };
      this.lists.set(apiVersion, entry);
      const mine = entry;
      entry.list.catch(() => {
        if (this.lists.get(apiVersion) === mine) this.lists.delete(apiVersion);
      });
    }
    const list = await entry.list;
    const all = list?.resources ?? [];
    const main = all.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!main) return undefined;
    const subresources = all.filter((r) => r.name.startsWith(`${main.name}/`)).map((r) => r.name.slice(main.name.length + 1));
    return { name: main.name, namespaced: main.namespaced, kind, subresources };
  }

  private async fetchList(apiVersion: string): Promise<ResourceList | undefined> {
    try {
      return await kubeRequest<ResourceList>(this.kc, { method: 'GET', path: apiRoot(apiVersion) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async fetchGroupVersions(): Promise<Set<string>> {
    const core = await kubeRequest<{ versions: string[] }>(this.kc, { method: 'GET', path: '/api' });
    const groups = await kubeRequest<{ groups: { versions: { groupVersion: string }[] }[] }>(this.kc, {
      method: 'GET',
      path: '/apis',
    });
    return new Set([...core.versions, ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))]);
  }
}

/** `/api/v1` for the core group, `/apis/GROUP/VERSION` otherwise. */
export function apiRoot(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
