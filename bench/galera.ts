// npm run bench:galera [-- ROUNDS MB]: a 3-node Galera sandbox cluster, measured beside the
// raw tool or the primary-replica peer in the same run.
// - write throughput through the read-write endpoint, against a primary-replica cluster of
//   the same size (4 writers, 20 s each);
// - client-seen recovery after SIGKILL of the write node (each writer's longest wait between
//   acknowledged writes), ROUNDS times: p50/p99;
// - full-crash recovery: every mariadbd SIGKILLed, to the first acknowledged write and to
//   three synced nodes;
// - SST throughput (a node rebuilt from MB of data by mariabackup SST) against a raw
//   `mariadb-backup --backup --stream=mbstream | mbstream -x` of the same data.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Sandbox, sleep } from '../test/integration/harness.js';
import { percentile, verifyWrites, Writers } from '../test/integration/writers.js';
import type { LocalStatus } from '../src/platform/local/status.js';
import { streamBackup } from '../src/mariadb/backup-tools.js';

const rounds = Number(process.argv[2] ?? 5);
const megabytes = Number(process.argv[3] ?? 256);
const synced = (s: LocalStatus) => s.phase === 'Running' && s.instances.length === 3 && s.instances.every((i) => i.ready && i.galera?.clusterSize === 3);

async function throughput(sb: Sandbox, seconds = 20): Promise<number> {
  const writers = new Writers(sb, 4).start();
  await sleep(seconds * 1000);
  const report = await writers.stop();
  return report.acked.size / seconds;
}

/** The donor of the last SST: the node whose log has the latest "SST completed on donor". */
function donorOf(sb: Sandbox): number {
  let best = { o: 0, at: '' };
  for (const o of [0, 1]) {
    const log = readFileSync(join(sb.home, 'clusters', sb.name, 'instances', String(o), 'error.log'), 'utf8');
    const at = [...log.matchAll(/SST completed on donor \(([0-9 :.]+)\)/g)].at(-1)?.[1] ?? '';
    if (at > best.at) best = { o, at };
  }
  return best.o;
}

/** From the donor's last "Streaming the backup" to its "SST completed on donor". */
function streamStepSeconds(log: string): number {
  const stamp = (re: RegExp) => {
    const m = [...log.matchAll(re)].at(-1)?.[1];
    if (!m) return NaN;
    const [, y, mo, d, h, mi, sec] = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):([\d.]+)$/.exec(m)!;
    return Date.UTC(+y, +mo - 1, +d, +h, +mi) + Number(sec) * 1000;
  };
  return (stamp(/SST completed on donor \(([0-9 :.]+)\)/g) - stamp(/Streaming the backup to joiner at \S+ \(([0-9 :.]+)\)/g)) / 1000;
}

const results: string[] = [];
const galera = new Sandbox('benchgal', 16000, { mode: 'galera' });
const peer = new Sandbox('benchpr', 16100);
try {
  // 1. Throughput, Galera then primary-replica, same machine, same run.
  await galera.up(3);
  await galera.waitFor('synced', synced, 180_000);
  await Writers.prepare(galera);
  const galeraRate = await throughput(galera);
  await peer.up(3);
  await Writers.prepare(peer);
  const peerRate = await throughput(peer);
  await peer.down();
  results.push(`write throughput (4 writers, autocommit inserts): galera ${galeraRate.toFixed(0)}/s, primary-replica ${peerRate.toFixed(0)}/s, ratio ${(galeraRate / peerRate).toFixed(2)}`);

  // 2. Client-seen recovery after SIGKILL of the write node.
  const gaps: number[] = [];
  let lost = 0;
  for (let i = 1; i <= rounds; i++) {
    const before = await galera.waitFor('synced', synced, 180_000);
    const writers = new Writers(galera, 4).start();
    await sleep(2000);
    const victim = before.instances.find((n) => n.ordinal === before.primary)!;
    process.kill(victim.pid!, 'SIGKILL');
    await galera.waitFor('moved and rejoined', (s) => s.primary !== victim.ordinal && synced(s), 180_000);
    await sleep(1500);
    const report = await writers.stop();
    const s = await galera.status();
    lost += (await verifyWrites(galera, s.primary!, report)).lost.length;
    gaps.push(...writers.longestGapsMs());
    console.log(`round ${i}: write node ${victim.ordinal} -> ${s.primary}, longest wait per writer ms [${writers.longestGapsMs().join(', ')}]`);
  }
  results.push(`write node killed, ${rounds} rounds: client-seen recovery p50 ${(percentile(gaps, 50) / 1000).toFixed(3)} s, p99 ${(percentile(gaps, 99) / 1000).toFixed(3)} s, max ${(Math.max(...gaps) / 1000).toFixed(3)} s; lost acknowledged writes ${lost}`);

  // 3. Full crash: every mariadbd at once; the supervisor recovers.
  const all = await galera.waitFor('synced', synced, 180_000);
  const crashAt = Date.now();
  for (const n of all.instances) process.kill(n.pid!, 'SIGKILL');
  let firstWrite = 0;
  while (!firstWrite) {
    try {
      const c = await galera.app();
      await c.query('INSERT INTO writes (writer, seq) VALUES (999999, ?)', [Date.now() % 1e9]);
      c.destroy();
      firstWrite = Date.now() - crashAt;
    } catch {
      await sleep(100);
    }
  }
  await galera.waitFor('three synced after the full crash', synced, 300_000);
  const allSynced = Date.now() - crashAt;
  results.push(`full crash (all 3 mariadbd SIGKILLed): first acknowledged write after ${(firstWrite / 1000).toFixed(1)} s, all 3 synced after ${(allSynced / 1000).toFixed(1)} s`);

  // 4. SST against the raw tool, on MB of data.
  const c = await galera.app();
  await c.query('CREATE TABLE IF NOT EXISTS bulk (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(4000)) ENGINE=InnoDB');
  for (let mb = 0; mb < megabytes; mb += 4) await c.query('INSERT INTO bulk (pad) VALUES ' + Array.from({ length: 1000 }, () => '(REPEAT(MD5(RAND()), 125))').join(','));
  c.destroy();
  await galera.waitFor('synced with the data', synced, 300_000);
  const s = await galera.status();
  const donor = s.instances.find((n) => n.ordinal !== 2)!.ordinal;
  const datadirOf = (o: number) => join(galera.home, 'clusters', galera.name, 'instances', String(o), 'data');
  const rawStart = Date.now();
  const target = mkdtempSync(join(tmpdir(), 'bench-sst-raw-'));
  await streamBackup({ host: '127.0.0.1', port: galera.basePort + donor, datadir: datadirOf(donor), optionFile: join(galera.home, 'clusters', galera.name, 'secrets', 'client.cnf') }, target);
  const rawSeconds = (Date.now() - rawStart) / 1000;
  // The size of the copy (InnoDB files and the system schema; not binary logs or the gcache).
  const bytes = Number(execFileSync('du', ['-sb', target]).toString().split('\t')[0]);
  rmSync(target, { recursive: true, force: true });

  const sstStart = Date.now();
  const r = await galera.cli(['local', 'rebuild', galera.name, '2']);
  if (r.code !== 0) throw new Error(`rebuild failed: ${r.stderr}`);
  await galera.waitFor('node 2 synced after its SST', synced, 600_000);
  const sstSeconds = (Date.now() - sstStart) / 1000;
  // Debian's wsrep_sst_mariabackup sleeps 10 s before it streams ("Sleeping before data
  // transfer"); its stream step alone is read from the donor's log.
  const stream = streamStepSeconds(readFileSync(join(galera.home, 'clusters', galera.name, 'instances', String(donorOf(galera)), 'error.log'), 'utf8'));
  const mbps = (sec: number) => bytes / 1e6 / sec;
  results.push(`SST of a ${(bytes / 1e6).toFixed(0)} MB copy: rebuild to synced ${sstSeconds.toFixed(1)} s (${mbps(sstSeconds).toFixed(0)} MB/s, ${((100 * rawSeconds) / sstSeconds).toFixed(0)} % of raw); the donor's stream step ${stream.toFixed(1)} s (${mbps(stream).toFixed(0)} MB/s, ${((100 * rawSeconds) / stream).toFixed(0)} % of raw); raw mariadb-backup --stream | mbstream -x ${rawSeconds.toFixed(1)} s (${mbps(rawSeconds).toFixed(0)} MB/s)`);
} finally {
  await peer.down().catch(() => undefined);
  await galera.down();
}
console.log(`\nbench:galera on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}`);
for (const line of results) console.log(line);
