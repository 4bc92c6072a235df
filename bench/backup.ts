// npm run bench:backup [-- MB]: Ordinal's backup paths against the raw tools doing the same
// work on the same data, alternating which goes first (page cache), three runs each (best
// counts): physical to a folder and to S3 (s3rver), logical to a folder; the codec choice
// (zstd against Node's gzip on the same stream); restore time per GB; the PITR replay rate
// against raw `mariadb-binlog | mariadb`; and the archive's RPO under steady writes.
import { execSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { openStore } from '../src/backup/store.js';
import { takeBackup } from '../src/backup/take.js';
import { backupSeq, type Manifest } from '../src/backup/manifest.js';
import { listSegments, readHead } from '../src/backup/segment.js';
import { planReplay } from '../src/backup/timeline.js';
import { replay } from '../src/backup/replay.js';
import { seedFromBackup } from '../src/backup/seed.js';
import { Sandbox, sleep } from '../test/integration/harness.js';
import { S3Server } from '../test/integration/s3.js';
import { percentile } from '../test/integration/writers.js';

const targetMb = Number(process.argv[2] ?? 512);
const sb = new Sandbox('benchbackup', 15800);
const folder = join(sb.home, 'backups');
const interval = 10;
Object.assign(sb.extraSpec, { pitr: { storage: { local: { path: folder } }, archiveIntervalSeconds: interval } });
const s3 = new S3Server(join(sb.home, 's3'), 15820, 'bench');
const ROOT = resolve(import.meta.dirname, '..');
const runs = 3;
const out: string[] = [];
const best = (xs: number[]) => Math.min(...xs);
const dirBytes = (dir: string): number => Number(execSync(`du -sb ${dir}`).toString().split('\t')[0]);

try {
  await s3.start();
  Object.assign(process.env, s3.env());
  await sb.up(2);
  const c = await sb.app();
  await c.query('CREATE TABLE blob_rows (id INT AUTO_INCREMENT PRIMARY KEY, body LONGBLOB) ENGINE=InnoDB');
  await c.query('CREATE TABLE small_rows (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b VARCHAR(64), at DATETIME(6) DEFAULT NOW(6)) ENGINE=InnoDB');
  // Distinct hex text: it compresses about as well as typical row data (not a repeated string).
  await c.query('SET SESSION group_concat_max_len = 67108864');
  for (let mb = 0; mb < targetMb; mb += 4) await c.query("INSERT INTO blob_rows (body) SELECT GROUP_CONCAT(MD5(RAND()) SEPARATOR '') FROM seq_1_to_131072");
  for (let i = 0; i < 50; i++) await c.query('INSERT INTO small_rows (a, b) SELECT seq, MD5(seq) FROM seq_1_to_20000');
  c.destroy();
  const dir = join(sb.home, 'clusters', sb.name);
  // The replica, as Ordinal takes it by default.
  const source = { host: '127.0.0.1', port: sb.basePort + 1, datadir: join(dir, 'instances/1/data'), optionFile: join(dir, 'secrets/client.cnf') };
  const dataBytes = dirBytes(source.datadir);
  const auth = `--defaults-extra-file=${source.optionFile} --host=127.0.0.1 --port=${source.port}`;
  const scratch = join(sb.home, 'scratch');
  const reset = () => (rmSync(scratch, { recursive: true, force: true }), mkdirSync(scratch, { recursive: true }));
  const time = async (f: () => unknown) => {
    const t = Date.now();
    await f();
    return (Date.now() - t) / 1000;
  };
  const take = (store: ReturnType<typeof openStore>, method: 'physical' | 'logical') => takeBackup({
    store, cluster: sb.name, method, serverVersion: '10.11', databases: method === 'logical' ? ['app'] : undefined,
    source: { ...source, instance: 1, role: 'replica' }, scratch: join(scratch, 'tmp'),
  });
  const upload = join(scratch, '..', 'upload.mjs');
  writeFileSync(upload, `import { S3Client } from '${ROOT}/node_modules/@aws-sdk/client-s3/dist-cjs/index.js';
import { Upload } from '${ROOT}/node_modules/@aws-sdk/lib-storage/dist-cjs/index.js';
const client = new S3Client({ endpoint: process.env.AWS_ENDPOINT_URL, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
await new Upload({ client, params: { Bucket: 'bench', Key: 'raw/' + Date.now(), Body: process.stdin }, partSize: 16 * 1024 * 1024, queueSize: 2 }).done();
`);
  // What a physical backup streams (the data files, without binary logs): the MB/s basis.
  reset();
  execSync(`mariadb-backup ${auth} --backup --stream=xbstream --datadir=${source.datadir} --target-dir=${scratch}/t 2>/dev/null > ${scratch}/stream.xb`, { shell: '/bin/bash' });
  const streamBytes = statSync(join(scratch, 'stream.xb')).size;
  execSync(`mariadb-dump ${auth} --single-transaction --gtid --master-data=2 --routines --events --triggers --hex-blob --databases app > ${scratch}/dump.sql`, { shell: '/bin/bash' });
  const dumpBytes = statSync(join(scratch, 'dump.sql')).size;
  const pairs: Array<{ name: string; raw: () => unknown; ours: () => Promise<unknown>; bytes: () => number }> = [
    {
      name: 'physical to a folder',
      raw: () => execSync(`mariadb-backup ${auth} --backup --stream=xbstream --datadir=${source.datadir} --target-dir=${scratch}/t 2>/dev/null | zstd -q -1 -c > ${scratch}/raw.zst`, { shell: '/bin/bash' }),
      ours: () => take(openStore({ kind: 'file', dir: join(scratch, 'store') }), 'physical'),
      bytes: () => streamBytes,
    },
    {
      name: 'physical to S3 (s3rver)',
      raw: () => execSync(`mariadb-backup ${auth} --backup --stream=xbstream --datadir=${source.datadir} --target-dir=${scratch}/t 2>/dev/null | zstd -q -1 -c | AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node ${upload}`, { shell: '/bin/bash' }),
      ours: () => take(openStore({ kind: 's3', bucket: 'bench', prefix: 'ours', endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true }), 'physical'),
      bytes: () => streamBytes,
    },
    {
      name: 'logical to a folder',
      raw: () => execSync(`mariadb-dump ${auth} --single-transaction --gtid --master-data=2 --routines --events --triggers --hex-blob --databases app | zstd -q -1 -c > ${scratch}/raw.sql.zst`, { shell: '/bin/bash' }),
      ours: () => take(openStore({ kind: 'file', dir: join(scratch, 'store') }), 'logical'),
      bytes: () => dumpBytes,
    },
  ];
  const header = `bench:backup on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}; data dir ${(dataBytes / 1e6).toFixed(0)} MB (binary logs included), xbstream ${(streamBytes / 1e6).toFixed(0)} MB, dump ${(dumpBytes / 1e6).toFixed(0)} MB; ${runs} runs each, alternating, best counts`;
  out.push(header);
  for (const p of pairs) {
    const raw: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < runs; i++) {
      reset();
      const order = i % 2 === 0 ? [p.raw, p.ours] : [p.ours, p.raw];
      for (const f of order) {
        const s = await time(f);
        (f === p.raw ? raw : ours).push(s);
        reset();
        await sleep(1100); // one backup id per second
      }
    }
    out.push(`${p.name.padEnd(26)} raw ${best(raw).toFixed(2)} s, ordinal ${best(ours).toFixed(2)} s: overhead ${((100 * (best(ours) - best(raw))) / best(raw)).toFixed(1)} %  (${(p.bytes() / 1e6 / best(ours)).toFixed(0)} MB/s; runs raw ${raw.map((x) => x.toFixed(2)).join('/')}, ordinal ${ours.map((x) => x.toFixed(2)).join('/')})`);
  }

  // The codec, on the same xbstream.
  execSync(`mariadb-backup ${auth} --backup --stream=xbstream --datadir=${source.datadir} --target-dir=${scratch}/t 2>/dev/null > ${scratch}/stream.xb`, { shell: '/bin/bash' });
  const codecs: Array<[string, () => unknown, string]> = [
    ['zstd -1 (Debian)', () => execSync(`zstd -q -1 -c ${scratch}/stream.xb > ${scratch}/c.out`, { shell: '/bin/bash' }), 'c.out'],
    ['zstd -3 (Debian)', () => execSync(`zstd -q -3 -c ${scratch}/stream.xb > ${scratch}/c.out`, { shell: '/bin/bash' }), 'c.out'],
    ['gzip -1 (Node zlib)', () => pipeline(createReadStream(join(scratch, 'stream.xb')), createGzip({ level: 1 }), createWriteStream(join(scratch, 'c.out'))), 'c.out'],
    ['gzip -6 (Node zlib)', () => pipeline(createReadStream(join(scratch, 'stream.xb')), createGzip({ level: 6 }), createWriteStream(join(scratch, 'c.out'))), 'c.out'],
  ];
  out.push(`codecs on a ${(streamBytes / 1e6).toFixed(0)} MB xbstream:`);
  for (const [name, f, file] of codecs) {
    const s = await time(f);
    out.push(`  ${name.padEnd(22)} ${(streamBytes / 1e6 / s).toFixed(0)} MB/s, ${((100 * statSync(join(scratch, file)).size) / streamBytes).toFixed(1)} % of the size`);
  }
  reset();

  // Restore time per GB: a new 2-instance cluster from a physical backup in a folder.
  const taken = await sb.cli(['local', 'backup', sb.name, '--to', `file://${folder}`, '-o', 'json']);
  const manifest = JSON.parse(taken.stdout) as Manifest;
  const restoreSeconds = await time(async () => {
    const r = await sb.cli(['local', 'restore', '--from', `file://${folder}`, '--backup', `${manifest.cluster}/${manifest.id}`, '--as', 'benchrestored']);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  await sb.cli(['local', 'down', 'benchrestored', '--purge']);
  out.push(`restore (physical, 2 instances to Running): ${restoreSeconds.toFixed(1)} s for ${(streamBytes / 1e9).toFixed(2)} GB of data = ${(restoreSeconds / (streamBytes / 1e9)).toFixed(1)} s per GB`);

  // Steady writes: the archive's RPO, then the replay of what it archived.
  const w = await sb.app();
  const lags: number[] = [];
  let writing = true;
  const writer = (async () => {
    while (writing) await w.query('INSERT INTO small_rows (a, b) SELECT seq, MD5(seq) FROM seq_1_to_50');
  })();
  const rpoUntil = Date.now() + 6 * interval * 1000;
  while (Date.now() < rpoUntil) {
    const st = await sb.status();
    if (st.pitr?.lastRecoverableTime) lags.push((Date.now() - Date.parse(st.pitr.lastRecoverableTime)) / 1000);
    await sleep(1000);
  }
  writing = false;
  await writer;
  w.destroy();
  out.push(`archive RPO under steady writes (archiveIntervalSeconds ${interval}, goal <= ${interval + 5} s): age of lastRecoverableTime p50 ${percentile(lags, 50).toFixed(1)} s, p99 ${percentile(lags, 99).toFixed(1)} s, max ${Math.max(...lags).toFixed(1)} s (${lags.length} samples)`);
  const end = Date.now();
  await sb.waitFor('the archive past the writes', (x) => !!x.pitr?.lastRecoverableTime && Date.parse(x.pitr.lastRecoverableTime) > end, 120_000);

  // Replay: ours (whole transactions by GTID, per piece) against raw mariadb-binlog | mariadb
  // over the same files into the same restored data.
  const store = openStore({ kind: 'file', dir: folder });
  const segments = await listSegments(store, sb.name);
  const head = await readHead(store, sb.name);
  const from = backupSeq(manifest);
  const plan = planReplay(segments, from, { seq: head!.seq }, head);
  if (!plan.ok) throw new Error(plan.reason);
  const config = join(dir, 'instances/1/my.cnf');
  const seedInto = async (name: string, hook: Parameters<typeof seedFromBackup>[0]['beforeRename']) => seedFromBackup({
    store, manifest, datadir: join(scratch, name), defaultsFile: config, osUser: process.env.USER || 'root',
    accounts: { operator: { user: 'o', password: 'p1' }, replication: { user: 'r', password: 'p2' }, app: { user: 'a', password: 'p3', database: 'app' } },
    scratch: join(scratch, `${name}-run`), beforeRename: hook,
  });
  let oursReplay = 0;
  let transactions = 0;
  await seedInto('ours', async (server, gtid) => {
    const t = Date.now();
    const r = await replay(store, plan, gtid, server, join(scratch, 'replay'));
    oursReplay = (Date.now() - t) / 1000;
    transactions = r.transactions;
    return r.gtid;
  });
  let rawReplay = 0;
  await seedInto('raw', async (server, gtid) => {
    const files = plan.pieces.map((p, i) => {
      const f = join(scratch, `raw-${i}.binlog`);
      execSync(`zstd -q -d -c ${join(folder, p.segment.key)} > ${f}`, { shell: '/bin/bash' });
      return f;
    });
    const t = Date.now();
    execSync(`mariadb-binlog --no-defaults --skip-gtid-strict-mode --start-position=${gtid} ${files.join(' ')} | mariadb --no-defaults --socket=${server.socket} --user=root --binary-mode`, { shell: '/bin/bash' });
    rawReplay = (Date.now() - t) / 1000;
    return gtid;
  });
  out.push(`PITR replay of ${transactions} transactions in ${plan.pieces.length} files: raw mariadb-binlog | mariadb ${rawReplay.toFixed(2)} s (${(transactions / rawReplay).toFixed(0)}/s), ordinal ${oursReplay.toFixed(2)} s (${(transactions / oursReplay).toFixed(0)}/s, download and checks included): ${((100 * rawReplay) / oursReplay).toFixed(0)} % of raw`);
} finally {
  await sb.down();
  await s3.stop();
}
console.log(`\n${out.join('\n')}`);
