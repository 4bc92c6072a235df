import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSpecError, parseCluster, validateCluster, type FieldError } from '../../src/api/validate.js';
import { parseClusterText } from '../../src/api/load.js';
import { clusterDoc } from './fixtures.js';

/** Messages as JSON Schema / TypeBox word them: none may reach a person. */
const RAW = /must match pattern|schema is false|must be equal to|must not have additional|must have required|must be (integer|string|boolean|number|object|array|null)\b|must be [<>]=?/i;
const DNS = /must be a DNS label/;
const QUANTITY = /must be a Kubernetes quantity/;
const OWNED = /is managed by Ordinal \(.+\) and cannot be overridden/;
const BAD_VALUE = /must be a string, number or boolean/;
const NOT_OBJECT = /must be a YAML or JSON object/;

const withSpec = clusterDoc;
const galera = (spec: Record<string, unknown>) => clusterDoc({ mode: 'galera', ...spec });
const withoutKey = (doc: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(doc).filter(([k]) => k !== key));
const local = (l: Record<string, number>) => withSpec({ local: l });
const config = (c: Record<string, unknown>) => withSpec({ mariadb: { config: c } });

interface BadCase {
  name: string;
  doc: unknown;
  path: string;
  message: RegExp;
}

const bad: BadCase[] = [
  // The document and its header.
  { name: 'null document', doc: null, path: '(document)', message: NOT_OBJECT },
  { name: 'an array', doc: [withSpec()], path: '(document)', message: NOT_OBJECT },
  { name: 'a string', doc: 'apiVersion: ordinal.dev/v1alpha1', path: '(document)', message: NOT_OBJECT },
  { name: 'a number', doc: 42, path: '(document)', message: NOT_OBJECT },
  { name: 'wrong apiVersion', doc: { ...withSpec(), apiVersion: 'ordinal.dev/v1' }, path: 'apiVersion', message: /must be "ordinal\.dev\/v1alpha1"/ },
  { name: 'missing apiVersion', doc: withoutKey(withSpec(), 'apiVersion'), path: 'apiVersion', message: /is required/ },
  { name: 'wrong kind', doc: { ...withSpec(), kind: 'Cluster' }, path: 'kind', message: /must be "MySQLCluster"/ },
  { name: 'missing metadata', doc: withoutKey(withSpec(), 'metadata'), path: 'metadata', message: /is required/ },
  { name: 'missing metadata.name', doc: withSpec({}, { labels: { a: 'b' } }), path: 'metadata.name', message: /is required/ },
  { name: 'name with upper case', doc: withSpec({}, { name: 'Demo' }), path: 'metadata.name', message: DNS },
  { name: 'name with an underscore', doc: withSpec({}, { name: 'my_db' }), path: 'metadata.name', message: DNS },
  { name: 'name ending in "-"', doc: withSpec({}, { name: 'demo-' }), path: 'metadata.name', message: DNS },
  { name: 'name longer than 40', doc: withSpec({}, { name: 'a'.repeat(41) }), path: 'metadata.name', message: /at most 40 characters/ },
  { name: 'name not a string', doc: withSpec({}, { name: 7 }), path: 'metadata.name', message: DNS },
  { name: 'bad namespace', doc: withSpec({}, { name: 'demo', namespace: 'Prod' }), path: 'metadata.namespace', message: DNS },
  { name: 'missing spec', doc: withoutKey(withSpec(), 'spec'), path: 'spec', message: /is required/ },
  { name: 'spec not an object', doc: { ...withSpec(), spec: 'three' }, path: 'spec', message: /must be an object/ },

  // replicas.
  { name: 'replicas 0', doc: withSpec({ replicas: 0 }), path: 'spec.replicas', message: /must be at least 1/ },
  { name: 'replicas 10', doc: withSpec({ replicas: 10 }), path: 'spec.replicas', message: /must be at most 9/ },
  { name: 'replicas 2.5', doc: withSpec({ replicas: 2.5 }), path: 'spec.replicas', message: /must be an integer/ },
  { name: 'replicas "3"', doc: withSpec({ replicas: '3' }), path: 'spec.replicas', message: /must be an integer/ },

  // Unknown fields, with a hint where one is close.
  { name: 'unknown top-level field', doc: { ...withSpec(), spce: {} }, path: 'spce', message: /is not a known field \(did you mean "spec"\?\)/ },
  { name: 'unknown spec field', doc: withSpec({ replcas: 3 }), path: 'spec.replcas', message: /did you mean "replicas"\?/ },
  { name: 'wrong case of a section', doc: withSpec({ semisync: { enabled: false } }), path: 'spec.semisync', message: /did you mean "semiSync"\?/ },
  { name: 'unknown failover field', doc: withSpec({ failover: { detectionWindowSecond: 5 } }), path: 'spec.failover.detectionWindowSecond', message: /did you mean "detectionWindowSeconds"\?/ },
  { name: 'unknown local field', doc: local({ basport: 20000 }), path: 'spec.local.basport', message: /did you mean "basePort"\?/ },
  { name: 'unknown nested field', doc: withSpec({ database: { passwordSecretRef: { name: 's', kye: 'k' } } }), path: 'spec.database.passwordSecretRef.kye', message: /did you mean "key"\?/ },
  { name: 'unknown resources field', doc: withSpec({ resources: { limit: { cpu: '1' } } }), path: 'spec.resources.limit', message: /did you mean "limits"\?/ },
  { name: 'unknown field far from any', doc: withSpec({ storage: { iops: 3000 } }), path: 'spec.storage.iops', message: /is not a known field \(known fields: size, storageClassName, accessModes, pvcRetention\)/ },

  // failover and semiSync.
  { name: 'detection window too small', doc: withSpec({ failover: { detectionWindowSeconds: 1 } }), path: 'spec.failover.detectionWindowSeconds', message: /must be at least 2/ },
  { name: 'detection window too large', doc: withSpec({ failover: { detectionWindowSeconds: 121 } }), path: 'spec.failover.detectionWindowSeconds', message: /must be at most 120/ },
  { name: 'detection window as a string', doc: withSpec({ failover: { detectionWindowSeconds: '4' } }), path: 'spec.failover.detectionWindowSeconds', message: /must be an integer/ },
  { name: 'failover.enabled "no"', doc: withSpec({ failover: { enabled: 'no' } }), path: 'spec.failover.enabled', message: /must be a boolean/ },
  { name: 'negative minIntervalSeconds', doc: withSpec({ failover: { minIntervalSeconds: -1 } }), path: 'spec.failover.minIntervalSeconds', message: /must be at least 0/ },
  { name: 'semi-sync timeout too small', doc: withSpec({ semiSync: { timeoutSeconds: 5 } }), path: 'spec.semiSync.timeoutSeconds', message: /must be at least 10/ },
  { name: 'semiSync.enabled "yes"', doc: withSpec({ semiSync: { enabled: 'yes' } }), path: 'spec.semiSync.enabled', message: /must be a boolean/ },

  // spec.mode galera: the quorum, the sections of the other mode, Galera's own fields.
  { name: 'galera with 2 nodes', doc: galera({ replicas: 2 }), path: 'spec.replicas', message: /must be odd and at least 3 with spec.mode galera \(got 2\)/ },
  { name: 'galera with 4 nodes', doc: galera({ replicas: 4 }), path: 'spec.replicas', message: /must be odd/ },
  { name: 'galera with 1 node', doc: galera({ replicas: 1 }), path: 'spec.replicas', message: /at least 3/ },
  { name: 'galera with semiSync', doc: galera({ semiSync: { enabled: true } }), path: 'spec.semiSync', message: /primary-replica only/ },
  { name: 'galera with failover', doc: galera({ failover: { detectionWindowSeconds: 5 } }), path: 'spec.failover', message: /primary-replica only/ },
  { name: 'galera with primaryOrdinal', doc: galera({ primaryOrdinal: 1 }), path: 'spec.primaryOrdinal', message: /switchover/ },
  { name: 'galera with pitr', doc: galera({ pitr: { storage: { local: { path: '/tmp/a' } } } }), path: 'spec.pitr', message: /not supported with spec.mode galera/ },
  { name: 'unknown SST method', doc: galera({ galera: { sstMethod: 'xtrabackup' } }), path: 'spec.galera.sstMethod', message: /must be mariabackup or rsync/ },
  { name: 'gcache size "lots"', doc: galera({ galera: { gcacheSize: 'lots' } }), path: 'spec.galera.gcacheSize', message: /must be a size/ },
  { name: 'owned provider option', doc: galera({ galera: { providerOptions: { 'gcache.size': '1G' } } }), path: 'spec.galera.providerOptions.gcache.size', message: /managed by Ordinal \(set from spec.galera.gcacheSize\)/ },
  { name: 'provider option with ";"', doc: galera({ galera: { providerOptions: { 'evs.suspect_timeout': 'PT5S;pc.bootstrap=1' } } }), path: 'spec.galera.providerOptions.evs.suspect_timeout', message: /must not contain ";"/ },
  { name: 'provider option an object', doc: galera({ galera: { providerOptions: { 'evs.suspect_timeout': { s: 5 } } } }), path: 'spec.galera.providerOptions.evs.suspect_timeout', message: /string, number or boolean/ },
  { name: 'galera section without galera mode', doc: withSpec({ galera: { sstMethod: 'rsync' } }), path: 'spec.galera', message: /applies only with spec.mode: galera/ },
  { name: 'galera basePort too high', doc: galera({ local: { basePort: 65500 } }), path: 'spec.local.basePort', message: /at most 65489/ },
  { name: 'galera endpoint on a group port', doc: galera({ local: { basePort: 20000, readOnlyPort: 20023 } }), path: 'spec.local.readOnlyPort', message: /collides with the Galera ports 20012-20046/ },
  { name: 'unknown mode', doc: withSpec({ mode: 'multiMaster' }), path: 'spec.mode', message: /must be primaryReplica or galera/ },
  { name: 'wsrep setting in config', doc: config({ wsrep_provider_options: 'x' }), path: 'spec.mariadb.config.wsrep_provider_options', message: /managed by Ordinal \(set from spec.mode and spec.galera\)/ },
  { name: 'autoinc lock mode in config', doc: config({ innodb_autoinc_lock_mode: 1 }), path: 'spec.mariadb.config.innodb_autoinc_lock_mode', message: /managed by Ordinal/ },

  // engine, storage, resources.
  { name: 'engine version 11.4', doc: withSpec({ engine: { version: '11.4' } }), path: 'spec.engine.version', message: /must be a MariaDB 10\.11 version/ },
  { name: 'empty engine image', doc: withSpec({ engine: { image: '' } }), path: 'spec.engine.image', message: /must be a container image reference/ },
  { name: 'storage size "10GB"', doc: withSpec({ storage: { size: '10GB' } }), path: 'spec.storage.size', message: QUANTITY },
  { name: 'storage size a number', doc: withSpec({ storage: { size: 10 } }), path: 'spec.storage.size', message: QUANTITY },
  { name: 'empty accessModes', doc: withSpec({ storage: { accessModes: [] } }), path: 'spec.storage.accessModes', message: /must have at least 1 item/ },
  { name: 'bad access mode', doc: withSpec({ storage: { accessModes: ['ReadWriteOnly'] } }), path: 'spec.storage.accessModes[0]', message: /must be ReadWriteOnce, ReadWriteOncePod or ReadWriteMany/ },
  { name: 'second access mode bad', doc: withSpec({ storage: { accessModes: ['ReadWriteOnce', 'RWX'] } }), path: 'spec.storage.accessModes[1]', message: /must be ReadWriteOnce/ },
  { name: 'bad storageClassName', doc: withSpec({ storage: { storageClassName: 'Fast_SSD' } }), path: 'spec.storage.storageClassName', message: DNS },
  { name: 'cpu request "lots"', doc: withSpec({ resources: { requests: { cpu: 'lots' } } }), path: 'spec.resources.requests.cpu', message: QUANTITY },
  { name: 'memory limit "1 GB"', doc: withSpec({ resources: { limits: { memory: '1 GB' } } }), path: 'spec.resources.limits.memory', message: QUANTITY },
  { name: 'memory limit "-1Gi"', doc: withSpec({ resources: { limits: { memory: '-1Gi' } } }), path: 'spec.resources.limits.memory', message: QUANTITY },

  { name: 'pvcRetention "Keep"', doc: withSpec({ storage: { pvcRetention: { whenDeleted: 'Keep' } } }), path: 'spec.storage.pvcRetention.whenDeleted', message: /must be Retain or Delete/ },
  { name: 'imagePullPolicy "always"', doc: withSpec({ engine: { imagePullPolicy: 'always' } }), path: 'spec.engine.imagePullPolicy', message: /must be Always, IfNotPresent or Never/ },
  { name: 'exporter.enabled "on"', doc: withSpec({ exporter: { enabled: 'on' } }), path: 'spec.exporter.enabled', message: /must be a boolean/ },
  { name: 'primaryOrdinal beyond replicas', doc: withSpec({ replicas: 3, primaryOrdinal: 3 }), path: 'spec.primaryOrdinal', message: /must name an existing instance: 0 to 2 with 3 replica\(s\)/ },
  { name: 'negative primaryOrdinal', doc: withSpec({ primaryOrdinal: -1 }), path: 'spec.primaryOrdinal', message: /must be at least 0/ },

  // database.
  { name: 'database name with a dash', doc: withSpec({ database: { name: 'my-db' } }), path: 'spec.database.name', message: /1-64 letters, digits or underscores, not starting with a digit/ },
  { name: 'database name starting with a digit', doc: withSpec({ database: { name: '1db' } }), path: 'spec.database.name', message: /not starting with a digit/ },
  { name: 'database user too long', doc: withSpec({ database: { user: 'u'.repeat(33) } }), path: 'spec.database.user', message: /user name of 1-32 letters/ },
  {
    name: 'passwordFile together with passwordSecretRef',
    doc: withSpec({ database: { passwordFile: '/run/pw', passwordSecretRef: { name: 'db-secret' } } }),
    path: 'spec.database.passwordFile',
    message: /cannot be set together with spec\.database\.passwordSecretRef/,
  },
  { name: 'passwordSecretRef without a name', doc: withSpec({ database: { passwordSecretRef: { key: 'pw' } } }), path: 'spec.database.passwordSecretRef.name', message: /is required/ },

  // mariadb.config.
  // Point-in-time recovery and the sandbox's backup schedule.
  { name: 'pitr with two storages', doc: withSpec({ pitr: { storage: { local: { path: '/b' }, pvc: { claimName: 'x' } } } }), path: 'spec.pitr.storage', message: /exactly one of s3, pvc or local, not pvc and local/ },
  { name: 'pitr without storage', doc: withSpec({ pitr: { storage: {} } }), path: 'spec.pitr.storage', message: /must name where backups go/ },
  { name: 'pitr interval of 0', doc: withSpec({ pitr: { storage: { local: { path: '/b' } }, archiveIntervalSeconds: 0 } }), path: 'spec.pitr.archiveIntervalSeconds', message: /at least 1/ },
  { name: 'pitr local path relative', doc: withSpec({ pitr: { storage: { local: { path: 'b' } } } }), path: 'spec.pitr.storage.local.path', message: /must be an absolute folder/ },
  { name: 'backup schedule with a bad cron', doc: withSpec({ backupSchedule: { schedule: '61 * * * *', location: 'file:///b' } }), path: 'spec.backupSchedule.schedule', message: /cron expression of 5 fields/ },
  { name: 'backup schedule with a bad location', doc: withSpec({ backupSchedule: { schedule: '0 3 * * *', location: '/b' } }), path: 'spec.backupSchedule.location', message: /must be file:\/\/\/absolute\/dir or s3:\/\/bucket\/prefix/ },
  { name: 'server_id is owned', doc: config({ server_id: 7 }), path: 'spec.mariadb.config.server_id', message: /managed by Ordinal \(derived from the ordinal\)/ },
  { name: 'read_only is owned', doc: config({ read_only: false }), path: 'spec.mariadb.config.read_only', message: OWNED },
  { name: 'sync_binlog is owned', doc: config({ sync_binlog: 0 }), path: 'spec.mariadb.config.sync_binlog', message: OWNED },
  { name: 'semi-sync settings are owned', doc: config({ rpl_semi_sync_master_timeout: 1000 }), path: 'spec.mariadb.config.rpl_semi_sync_master_timeout', message: /managed by Ordinal \(set from spec\.semiSync\)/ },
  { name: '"server-id" is server_id', doc: config({ 'server-id': 7 }), path: 'spec.mariadb.config.server-id', message: OWNED },
  { name: '"loose-read-only" is read_only', doc: config({ 'loose-read-only': 0 }), path: 'spec.mariadb.config.loose-read-only', message: OWNED },
  { name: '"skip-log-bin" is log_bin', doc: config({ 'skip-log-bin': true }), path: 'spec.mariadb.config.skip-log-bin', message: OWNED },
  { name: 'owned names in any case', doc: config({ Slave_Net_Timeout: 60 }), path: 'spec.mariadb.config.Slave_Net_Timeout', message: OWNED },
  { name: 'config value an object', doc: config({ innodb_buffer_pool_size: { size: '1G' } }), path: 'spec.mariadb.config.innodb_buffer_pool_size', message: BAD_VALUE },
  { name: 'config value an array', doc: config({ plugin_load_add: ['a', 'b'] }), path: 'spec.mariadb.config.plugin_load_add', message: BAD_VALUE },
  { name: 'config value null', doc: config({ max_connections: null }), path: 'spec.mariadb.config.max_connections', message: BAD_VALUE },
  { name: 'multi-line config value', doc: config({ init_connect: 'SET x=1\n[mariadbd]\nread_only=OFF' }), path: 'spec.mariadb.config.init_connect', message: /must be a single line/ },
  { name: 'config key with a space', doc: config({ 'max connections': 10 }), path: 'spec.mariadb.config.max connections', message: /is not a MariaDB option name/ },
  { name: 'config key starting with a digit', doc: config({ '1st': 1 }), path: 'spec.mariadb.config.1st', message: /is not a MariaDB option name/ },
  { name: 'config key with "="', doc: config({ 'a=b': 1 }), path: 'spec.mariadb.config.a=b', message: /is not a MariaDB option name/ },

  // local ports.
  { name: 'readWritePort equals readOnlyPort', doc: local({ readWritePort: 21000, readOnlyPort: 21000 }), path: 'spec.local.readOnlyPort', message: /must differ from spec\.local\.readWritePort/ },
  { name: 'readWritePort on an instance port', doc: local({ basePort: 20000, readWritePort: 20003 }), path: 'spec.local.readWritePort', message: /collides with the instance ports 20000-20008/ },
  { name: 'readOnlyPort on the last instance port', doc: local({ basePort: 20000, readOnlyPort: 20008 }), path: 'spec.local.readOnlyPort', message: /collides with the instance ports/ },
  { name: 'readWritePort on basePort', doc: local({ basePort: 20000, readWritePort: 20000 }), path: 'spec.local.readWritePort', message: /collides/ },
  { name: 'basePort too high for the block', doc: local({ basePort: 65530 }), path: 'spec.local.basePort', message: /must be at most 65524/ },
  { name: 'basePort privileged', doc: local({ basePort: 80 }), path: 'spec.local.basePort', message: /must be at least 1024/ },
  { name: 'port above 65535', doc: local({ readOnlyPort: 70000 }), path: 'spec.local.readOnlyPort', message: /must be at most 65535/ },
];

function errorsOf(doc: unknown): FieldError[] {
  const r = validateCluster(doc);
  assert.equal(r.ok, false, 'expected the document to be refused');
  return r.ok ? [] : r.errors;
}

function assertHuman(errors: FieldError[]): void {
  for (const e of errors) {
    assert.doesNotMatch(e.message, RAW, `raw schema message for ${e.path}`);
    assert.ok(e.path, 'every error names a path');
  }
}

test('the minimal spec validates and gets every default', () => {
  const doc = clusterDoc();
  const r = validateCluster(doc);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value, {
    apiVersion: 'ordinal.dev/v1alpha1',
    kind: 'MySQLCluster',
    metadata: { name: 'demo' },
    spec: {
      replicas: 3,
      mode: 'primaryReplica',
      galera: { sstMethod: 'mariabackup', gcacheSize: '128M', flowControlLimit: 64, availableWhenDonor: false, providerOptions: {} },
      engine: { version: '10.11' },
      mariadb: { config: {} },
      semiSync: { enabled: true, timeoutSeconds: 86400 },
      failover: { enabled: true, detectionWindowSeconds: 4, minIntervalSeconds: 60 },
      database: { name: 'app', user: 'app' },
      storage: { size: '10Gi', accessModes: ['ReadWriteOnce'], pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Retain' } },
      exporter: { enabled: true },
      local: {},
    },
  });
  assert.deepEqual(doc, clusterDoc(), 'the input document is not modified');
});

test(`bad specs (${bad.length})`, async (t) => {
  assert.ok(bad.length >= 30);
  for (const c of bad) {
    await t.test(c.name, () => {
      const errors = errorsOf(c.doc);
      const hit = errors.find((e) => e.path === c.path);
      assert.ok(hit, `no error at ${c.path}; got ${JSON.stringify(errors)}`);
      assert.match(hit.message, c.message);
      assertHuman(errors);
    });
  }
});

test('good edge cases', async (t) => {
  const good: Array<{ name: string; doc: unknown }> = [
    { name: 'one replica', doc: withSpec({ replicas: 1 }) },
    { name: 'nine replicas', doc: withSpec({ replicas: 9 }) },
    { name: 'detection window bounds', doc: withSpec({ failover: { detectionWindowSeconds: 2, minIntervalSeconds: 0 } }) },
    { name: 'name of 40 characters', doc: withSpec({}, { name: 'a'.repeat(40) }) },
    { name: 'Kubernetes metadata is tolerated', doc: withSpec({}, { name: 'demo', uid: 'x', generation: 3, labels: { app: 'db' } }) },
    { name: 'status is tolerated', doc: { ...withSpec(), status: { phase: 'Running' } } },
    { name: 'user config', doc: config({ innodb_buffer_pool_size: '1G', 'skip-name-resolve': true, max_connections: 500, 'loose-innodb-foo': 'x' }) },
    { name: 'highest basePort', doc: local({ basePort: 65524 }) },
    { name: 'endpoint on basePort + 9', doc: local({ basePort: 20000, readWritePort: 20009 }) },
    { name: 'explicit endpoints', doc: local({ basePort: 20000, readWritePort: 20010, readOnlyPort: 20011 }) },
    { name: 'quantities', doc: withSpec({ storage: { size: '1.5Ti', storageClassName: 'fast-ssd', accessModes: ['ReadWriteOncePod'] }, resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2' } } }) },
    { name: 'a password file', doc: withSpec({ database: { name: 'shop_1', user: '_svc', passwordFile: '/run/secrets/pw' } }) },
    { name: 'a secret reference', doc: withSpec({ database: { passwordSecretRef: { name: 'db-secret' } } }) },
    { name: 'a patch version', doc: withSpec({ engine: { version: '10.11.6' } }) },
    { name: 'galera with defaults', doc: galera({}) },
    { name: 'a defaulted galera document (a ConfigMap\'s copy)', doc: parseCluster(galera({})) },
    { name: 'a defaulted primary-replica document', doc: parseCluster(withSpec({})) },
    { name: 'galera tunables in config', doc: galera({ mariadb: { config: { wsrep_sync_wait: 1, wsrep_retry_autocommit: 3 } } }) },
    { name: 'galera, five nodes, every field', doc: galera({ replicas: 5, galera: { sstMethod: 'rsync', gcacheSize: '1G', flowControlLimit: 100, availableWhenDonor: true, providerOptions: { 'evs.suspect_timeout': 'PT3S', 'gcs.fc_factor': 0.8 } } }) },
  ];
  for (const c of good) {
    await t.test(c.name, () => {
      const r = validateCluster(c.doc);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    });
  }
  await t.test('a secret key defaults to "password"', () => {
    const r = validateCluster(withSpec({ database: { passwordSecretRef: { name: 'db-secret' } } }));
    assert.deepEqual(r.ok && r.value.spec.database.passwordSecretRef, { name: 'db-secret', key: 'password' });
  });
});

test('several errors at once are all reported', () => {
  const doc = {
    ...withSpec(
      {
        replicas: 0,
        replcas: 3,
        storage: { size: '10GB' },
        failover: { detectionWindowSeconds: 1 },
        mariadb: { config: { server_id: 3 } },
        database: { name: 'my-db' },
        local: { readWritePort: 21000, readOnlyPort: 21000 },
      },
      { name: 'Bad_Name' },
    ),
    kind: 'Cluster',
  };
  const errors = errorsOf(doc);
  const want = [
    'kind',
    'metadata.name',
    'spec.replicas',
    'spec.replcas',
    'spec.storage.size',
    'spec.failover.detectionWindowSeconds',
    'spec.mariadb.config.server_id',
    'spec.database.name',
    'spec.local.readOnlyPort',
  ];
  assert.deepEqual(errors.map((e) => e.path).sort(), [...want].sort());
  assertHuman(errors);
});

test('InvalidSpecError lists every error by path', () => {
  const err = new InvalidSpecError([{ path: 'spec.replicas', message: 'must be at least 1' }, { path: 'kind', message: 'must be "MySQLCluster"' }]);
  assert.equal(err.name, 'InvalidSpecError');
  assert.equal(err.message, 'invalid MySQLCluster:\n  - spec.replicas: must be at least 1\n  - kind: must be "MySQLCluster"');
});

// ---- parseClusterText ---------------------------------------------------------------------

const YAML_OK = 'apiVersion: ordinal.dev/v1alpha1\nkind: MySQLCluster\nmetadata:\n  name: demo\nspec:\n  replicas: 3\n';

function parseError(text: string): FieldError[] {
  try {
    parseClusterText(text, 'cluster.yaml');
  } catch (err) {
    assert.ok(err instanceof InvalidSpecError, `not an InvalidSpecError: ${err}`);
    return err.errors;
  }
  assert.fail('expected parseClusterText to throw');
}

test('parseClusterText', async (t) => {
  await t.test('one valid YAML document, defaulted', () => {
    const c = parseClusterText(YAML_OK);
    assert.equal(c.metadata.name, 'demo');
    assert.equal(c.spec.failover.detectionWindowSeconds, 4);
  });
  await t.test('JSON is YAML', () => assert.equal(parseClusterText(JSON.stringify(clusterDoc())).spec.replicas, 3));
  await t.test('a leading "---" is fine', () => assert.equal(parseClusterText(`---\n${YAML_OK}`).metadata.name, 'demo'));

  const refused: Array<{ name: string; text: string; path: string; message: RegExp }> = [
    { name: 'invalid YAML (unclosed flow sequence)', text: 'spec: [\n', path: '(document)', message: /^cluster\.yaml is not valid YAML: / },
    { name: 'invalid YAML (nested compact mapping)', text: 'a: b: c\n', path: '(document)', message: /is not valid YAML/ },
    { name: 'invalid YAML (tab indentation)', text: 'spec:\n\treplicas: 3\n', path: '(document)', message: /is not valid YAML/ },
    { name: 'two documents', text: `${YAML_OK}---\n${YAML_OK}`, path: '(document)', message: /cluster\.yaml must hold exactly one MySQLCluster document, found 2/ },
    { name: 'empty text', text: '', path: '(document)', message: /found 0/ },
    { name: 'only comments', text: '# nothing here\n', path: '(document)', message: /found 0/ },
    { name: 'valid YAML, invalid spec', text: YAML_OK.replace('replicas: 3', 'replicas: 0'), path: 'spec.replicas', message: /must be at least 1/ },
    { name: 'valid YAML, a list', text: '- a\n- b\n', path: '(document)', message: NOT_OBJECT },
  ];
  for (const c of refused) {
    await t.test(c.name, () => {
      const errors = parseError(c.text);
      const hit = errors.find((e) => e.path === c.path);
      assert.ok(hit, `no error at ${c.path}; got ${JSON.stringify(errors)}`);
      assert.match(hit.message, c.message);
    });
  }
});

// ---- Regressions: bugs found by these tests, now fixed ------------------------------------

test('regressions', async (t) => {
  const bugs: BadCase[] = [
    { name: 'readOnlyPort on the default readWritePort (basePort + 10)', doc: local({ basePort: 20000, readOnlyPort: 20010 }), path: 'spec.local.readOnlyPort', message: /must differ|collides/ },
    { name: 'readWritePort on the default readOnlyPort (basePort + 11)', doc: local({ basePort: 20000, readWritePort: 20011 }), path: 'spec.local.readWritePort', message: /must differ|collides/ },
    { name: '"disable-log-slave-updates" is log_slave_updates', doc: config({ 'disable-log-slave-updates': 1 }), path: 'spec.mariadb.config.disable-log-slave-updates', message: OWNED },
    { name: '"loose-skip-log-bin" is log_bin', doc: config({ 'loose-skip-log-bin': 1 }), path: 'spec.mariadb.config.loose-skip-log-bin', message: OWNED },
    { name: '"enable-gtid-strict-mode" is gtid_strict_mode', doc: config({ 'enable-gtid-strict-mode': 0 }), path: 'spec.mariadb.config.enable-gtid-strict-mode', message: OWNED },
  ];
  for (const c of bugs) {
    await t.test(c.name, () => {
      const hit = errorsOf(c.doc).find((e) => e.path === c.path);
      assert.ok(hit, `no error at ${c.path}`);
      assert.match(hit.message, c.message);
    });
  }

  await t.test(
    'a config that is a string is reported once, not once per character',
    () => assert.deepEqual(errorsOf(withSpec({ mariadb: { config: 'abc' } })).map((e) => e.path), ['spec.mariadb.config']),
  );
  await t.test(
    'a trailing "---" does not make a second document',
    () => assert.equal(parseClusterText(`${YAML_OK}---\n`).metadata.name, 'demo'),
  );
});

test('examples/galera.yaml is a valid Galera cluster', async () => {
  const { readFileSync } = await import('node:fs');
  const c = parseClusterText(readFileSync(new URL('../../examples/galera.yaml', import.meta.url), 'utf8'));
  assert.equal(c.spec.mode, 'galera');
  assert.equal(c.spec.replicas, 3);
});
