// Proving a backup restorable on this machine (`ordinal local verify`, and the schedule's
// verify: true): backup/verify.ts in a scratch folder, with the settings of the cluster it came from.
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseClusterText } from '../../api/load.js';
import { listBackups } from '../../backup/list.js';
import type { Location } from '../../backup/location.js';
import { chooseBackup, type Manifest } from '../../backup/manifest.js';
import { openStore } from '../../backup/store.js';
import { verifyBackup, type Verification } from '../../backup/verify.js';
import { privateServerConfig } from '../../mariadb/server-config.js';
import { writeAtomic } from './files.js';
import { osUser } from './mariadbd.js';
import { ordinalHome } from './paths.js';

export async function localVerify(from: Location, backup: string | undefined, onProgress?: (what: string, bytes: number) => void): Promise<{ manifest: Manifest; verification: Verification }> {
  const store = openStore(from);
  const choice = chooseBackup((await listBackups(store)).backups, { id: backup });
  if (!choice.ok) throw new Error(`${backup ? '--backup' : '--from'}: ${choice.reason} (in ${store.where})`);
  const manifest = choice.manifest;
  const spec = manifest.spec ?? parseClusterText(stringify({ apiVersion: 'ordinal.dev/v1alpha1', kind: 'MySQLCluster', metadata: { name: manifest.cluster }, spec: {} })).spec;
  const scratch = join(ordinalHome(), 'verify', `${manifest.cluster}-${manifest.id}-${process.pid}`);
  const verification = await verifyBackup({
    store,
    manifest,
    scratch,
    osUser: osUser(),
    onProgress,
    config: (datadir) => {
      const file = join(scratch, 'my.cnf');
      writeAtomic(file, privateServerConfig(spec, datadir, scratch, osUser(), true));
      return file;
    },
  });
  return { manifest, verification };
}
