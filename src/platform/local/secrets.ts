// The cluster's passwords live in files of mode 0600 under the cluster's secrets/ folder.
// They are read into memory when needed and never printed, logged or passed as arguments.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClusterSpec } from '../../api/cluster.js';
import { InvalidSpecError } from '../../api/validate.js';
import { renderOptionFile } from '../../db/accounts.js';
import { OPERATOR_USER, REPLICATION_USER, SST_USER } from '../../db/dialect.js';
import { ensureSecretFile, writeAtomic } from './files.js';
import type { ClusterPaths } from './paths.js';

export interface ClusterSecrets {
  operator: { user: string; password: string };
  replication: { user: string; password: string };
  /** Galera donors' account for mariabackup SST (local connections only). */
  sst: { user: string; password: string };
  app: { user: string; password: string; database: string; passwordFile: string };
  /** An option file for the MariaDB client tools (mariadb-backup), mode 0600. */
  clientOptionFile: string;
}

export function ensureSecrets(paths: ClusterPaths, spec: ClusterSpec, specDir = process.cwd()): ClusterSecrets {
  const operator = ensureSecretFile(paths.secret('operator'));
  const replication = ensureSecretFile(paths.secret('replication'));
  const sst = ensureSecretFile(paths.secret('sst'));
  let appFile = paths.secret('app');
  let app: string;
  if (spec.database.passwordFile) {
    appFile = resolve(specDir, spec.database.passwordFile);
    app = readPasswordFile(appFile);
  } else {
    app = ensureSecretFile(appFile);
  }
  const clientOptionFile = paths.secret('client.cnf');
  writeAtomic(clientOptionFile, renderOptionFile({ user: OPERATOR_USER, password: operator }), 0o600);
  return {
    operator: { user: OPERATOR_USER, password: operator },
    replication: { user: REPLICATION_USER, password: replication },
    sst: { user: SST_USER, password: sst },
    app: { user: spec.database.user, password: app, database: spec.database.name, passwordFile: appFile },
    clientOptionFile,
  };
}

/** The application password of spec.database.passwordFile; a missing or empty file is refused. */
export function readPasswordFile(file: string): string {
  let password: string;
  try {
    password = readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `file ${file} does not exist` : `cannot read ${file}: ${code}`;
    throw new InvalidSpecError([{ path: 'spec.database.passwordFile', message }]);
  }
  if (!password) throw new InvalidSpecError([{ path: 'spec.database.passwordFile', message: `${file} is empty` }]);
  return password;
}
