// The backups in a store: every folder with a manifest. Folders without one (a backup that
// failed or was killed midway) are not backups and are never listed as such.
import { MANIFEST, parseManifest, type Manifest } from './manifest.js';
import type { Store } from './store.js';

export interface Listed {
  backups: Manifest[];
  /** Manifests that could not be read, with why: listed, never silently skipped. */
  unreadable: Array<{ key: string; why: string }>;
}

export async function listBackups(store: Store, cluster?: string): Promise<Listed> {
  const objects = await store.list(cluster ? `${cluster}/` : '');
  const backups: Manifest[] = [];
  const unreadable: Listed['unreadable'] = [];
  for (const o of objects.filter((x) => x.key.endsWith(`/${MANIFEST}`) && x.key.split('/').length === 3)) {
    try {
      backups.push(parseManifest((await store.getText(o.key)) ?? '', o.key));
    } catch (err) {
      unreadable.push({ key: o.key, why: (err as Error).message });
    }
  }
  backups.sort((a, b) => Date.parse(a.endTime) - Date.parse(b.endTime) || a.cluster.localeCompare(b.cluster));
  return { backups, unreadable };
}
