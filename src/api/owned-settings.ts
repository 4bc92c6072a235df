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
  innodb_autoinc_lock_mode: 'Galera needs interleaved (2)',
};

/** wsrep_ settings a user may tune: they change neither addresses, recovery nor durability. */
const WSREP_TUNABLES = new Set([
  'wsrep_sync_wait', 'wsrep_retry_autocommit', 'wsrep_slave_threads', 'wsrep_applier_threads', 'wsrep_max_ws_rows',
  'wsrep_max_ws_size', 'wsrep_log_conflicts', 'wsrep_debug', 'wsrep_certify_nonpk', 'wsrep_slave_fk_checks',
  'wsrep_slave_uk_checks', 'wsrep_trx_fragment_size', 'wsrep_trx_fragment_unit', 'wsrep_osu_method', 'wsrep_load_data_splitting',
]);

const OWNED = new Map<string, string>(Object.entries(owned));

/** Why Ordinal owns a [mariadbd] setting, or undefined if the user may set it. */
export function ownerOf(key: string): string | undefined {
  // MariaDB treats "-" and "_" alike and accepts chained loose-/skip-/disable-/enable-
  // prefixes on any option, so every spelling of an owned option is refused.
  let k = key.toLowerCase().replace(/-/g, '_');
  for (;;) {
    if (k.startsWith('rpl_semi_sync_')) return 'set from spec.semiSync';
    if (k.startsWith('wsrep_') && !WSREP_TUNABLES.has(k)) return 'set from spec.mode and spec.galera';
    const owner = OWNED.get(k);
    if (owner) return owner;
    const stripped = k.replace(/^(loose|skip|disable|enable)_/, '');
    if (stripped === k) return undefined;
    k = stripped;
  }
}

/** wsrep_provider_options that Ordinal sets (addresses, and what spec.galera names). */
const OWNED_PROVIDER_OPTIONS: Record<string, string> = {
  'gmcast.listen_addr': 'the node\'s group address',
  'ist.recv_addr': 'the node\'s IST address',
  'ist.recv_bind': 'the node\'s IST address',
  'base_host': 'the node\'s address',
  'base_port': 'the node\'s group port',
  'gcache.size': 'set from spec.galera.gcacheSize',
  'gcs.fc_limit': 'set from spec.galera.flowControlLimit',
  'pc.bootstrap': 'recovery decides which node bootstraps',
};

export function providerOptionOwner(key: string): string | undefined {
  return OWNED_PROVIDER_OPTIONS[key.toLowerCase()];
}
