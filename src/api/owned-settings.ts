// MariaDB settings that the HA logic depends on. Letting a user override them would
// silently break a promise in docs/invariants.md, so the spec refuses them by name.
const owned: Record<string, string> = {
  server_id: 'derived from the ordinal',
  read_only: 'only the recorded primary is writable',
  log_bin: 'GTID replication needs the binary log',
  log_slave_updates: 'every replica must be promotable',
  binlog_format: 'ROW is required for safe replication',
  gtid_strict_mode: 'errant-transaction detection relies on it',
  gtid_domain_id: 'one replication domain per cluster',
  sync_binlog: 'acknowledged writes must survive a crash',
  innodb_flush_log_at_trx_commit: 'acknowledged writes must survive a crash',
  skip_slave_start: 'the HA loop starts replication',
  init_rpl_role: 'the HA loop decides roles',
  slave_net_timeout: 'set from spec.failover.detectionWindowSeconds',
  port: 'assigned per instance',
  bind_address: 'assigned per instance',
  socket: 'assigned per instance',
  datadir: 'assigned per instance',
  pid_file: 'assigned per instance',
  log_error: 'assigned per instance',
  init_file: 'runs the first-start SQL of a new or cloned instance',
  user: 'assigned by the platform',
};

const OWNED = new Map<string, string>(Object.entries(owned));

/** Why Ordinal owns a [mariadbd] setting, or undefined if the user may set it. */
export function ownerOf(key: string): string | undefined {
  // MariaDB treats "-" and "_" alike and accepts chained loose-/skip-/disable-/enable-
  // prefixes on any option, so every spelling of an owned option is refused.
  let k = key.toLowerCase().replace(/-/g, '_');
  for (;;) {
    if (k.startsWith('rpl_semi_sync_')) return 'set from spec.semiSync';
    const owner = OWNED.get(k);
    if (owner) return owner;
    const stripped = k.replace(/^(loose|skip|disable|enable)_/, '');
    if (stripped === k) return undefined;
    k = stripped;
  }
}
