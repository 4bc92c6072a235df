// The accounts every cluster has, created once on the first primary, and the option files
// through which MariaDB's tools log in as them (passwords never go on a command line).
import { randomBytes } from 'node:crypto';
import type { Credentials } from './connection.js';

/** A new password: 144 random bits, safe in option files and SQL string literals. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export const EXPORTER_USER = 'ordinal_exporter';

export interface Accounts {
  operator: Credentials;
  replication: Credentials;
  app: Credentials & { database: string };
  /** Metrics (prometheus-mysqld-exporter); the sandbox runs no exporter. */
  exporter?: Credentials;
  /** Galera: the donors' account for mariabackup SST; it logs in over the local socket only. */
  sst?: Credentials;
}

/**
 * SQL that creates the accounts on the first primary; runs once, from a 0600 init file. It
 * also sets their passwords when they exist already: a restored copy holds the accounts of
 * the cluster it was taken from.
 */
export function bootstrapSql(accounts: Accounts): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const db = `\`${accounts.app.database}\``;
  const { operator, replication, app, exporter, sst } = accounts;
  return [
    // No anonymous accounts: they shadow real ones and bypass passwords.
    "DELETE FROM mysql.global_priv WHERE User = ''",
    'FLUSH PRIVILEGES',
    `CREATE USER IF NOT EXISTS ${q(operator.user)}@'%' IDENTIFIED BY ${q(operator.password)}`,
    `ALTER USER ${q(operator.user)}@'%' IDENTIFIED BY ${q(operator.password)}`,
    `GRANT ALL PRIVILEGES ON *.* TO ${q(operator.user)}@'%' WITH GRANT OPTION`,
    // It keeps READ_ONLY ADMIN: in 10.11 changing @@read_only needs it. It never writes data.
    `CREATE USER IF NOT EXISTS ${q(replication.user)}@'%' IDENTIFIED BY ${q(replication.password)}`,
    `ALTER USER ${q(replication.user)}@'%' IDENTIFIED BY ${q(replication.password)}`,
    `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ${q(replication.user)}@'%'`,
    ...(exporter
      ? [
          // Capped, so a scraping storm cannot take the connections the application needs.
          `CREATE USER IF NOT EXISTS ${q(exporter.user)}@'%' IDENTIFIED BY ${q(exporter.password)} WITH MAX_USER_CONNECTIONS 3`,
          `ALTER USER ${q(exporter.user)}@'%' IDENTIFIED BY ${q(exporter.password)}`,
          `GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO ${q(exporter.user)}@'%'`,
        ]
      : []),
    ...(sst
      ? [
          `CREATE USER IF NOT EXISTS ${q(sst.user)}@'localhost' IDENTIFIED BY ${q(sst.password)}`,
          `ALTER USER ${q(sst.user)}@'localhost' IDENTIFIED BY ${q(sst.password)}`,
          `GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR ON *.* TO ${q(sst.user)}@'localhost'`,
        ]
      : []),
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE USER IF NOT EXISTS ${q(app.user)}@'%' IDENTIFIED BY ${q(app.password)}`,
    `ALTER USER ${q(app.user)}@'%' IDENTIFIED BY ${q(app.password)}`,
    // Database-level only: the application can never bypass read_only.
    `GRANT ALL PRIVILEGES ON ${db}.* TO ${q(app.user)}@'%'`,
  ].join(';\n') + ';\n';
}

/** A [client] option file for the MariaDB tools; write it with mode 0600. */
export function renderOptionFile(creds: Credentials, extra: Record<string, string | number> = {}): string {
  const lines = [`user=${creds.user}`, `password=${optionValue(creds.password)}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)];
  return `[client]\n${lines.join('\n')}\n`;
}

function optionValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
