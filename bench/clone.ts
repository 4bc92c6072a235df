// npm run bench:clone [-- MB]: clone throughput of Ordinal's clone path (the one the
// sandbox uses to provision a replica) against a raw `mariadb-backup --stream | mbstream -x`
// of the same donor, each run five times, alternating which goes first (page cache); prepare is
// not part of either number.
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { streamBackup } from '../src/mariadb/backup-tools.js';
import { Sandbox } from '../test/integration/harness.js';

const targetMb = Number(process.argv[2] ?? 512);
const sb = new Sandbox('benchclone', 15300);
const runs = 5;
const raw: number[] = [];
const ours: number[] = [];
let bytes = 0;
try {
  await sb.up(1);
  const c = await sb.app();
  await c.query('CREATE TABLE blob_rows (id INT AUTO_INCREMENT PRIMARY KEY, body LONGBLOB) ENGINE=InnoDB');
  const chunk = 4 * 1024 * 1024;
  for (let mb = 0; mb < targetMb; mb += 4) await c.query(`INSERT INTO blob_rows (body) VALUES (REPEAT(MD5(RAND()), ${chunk / 32}))`);
  c.destroy();
  const clusterDir = join(sb.home, 'clusters', sb.name);
  const source = {
    host: '127.0.0.1',
    port: sb.basePort,
    datadir: join(clusterDir, 'instances/0/data'),
    optionFile: join(clusterDir, 'secrets/client.cnf'),
  };
  const rawRun = () => {
    const dir = mkdtempSync(join(tmpdir(), 'raw-'));
    const tmp = mkdtempSync(join(tmpdir(), 'rawtmp-'));
    const t = Date.now();
    execSync(
      `mariadb-backup --defaults-extra-file=${source.optionFile} --backup --stream=xbstream --host=127.0.0.1 --port=${source.port} --datadir=${source.datadir} --target-dir=${tmp} 2>/dev/null | mbstream -x -C ${dir}`,
      { shell: '/bin/bash' },
    );
    raw.push((Date.now() - t) / 1000);
    bytes = Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  };
  const ourRun = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ord-clone-'));
    const t = Date.now();
    await streamBackup(source, dir);
    ours.push((Date.now() - t) / 1000);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      rawRun();
      await ourRun();
    } else {
      await ourRun();
      rawRun();
    }
  }
} finally {
  await sb.down();
}
const best = (xs: number[]) => Math.min(...xs);
const mbps = (s: number) => bytes / 1e6 / s;
console.log(`\nbench:clone on ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? ''}`);
console.log(`data copied: ${(bytes / 1e6).toFixed(0)} MB, ${runs} runs each (best run counts)`);
console.log(`raw mariadb-backup | mbstream: ${best(raw).toFixed(2)} s = ${mbps(best(raw)).toFixed(0)} MB/s   (runs: ${raw.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`ordinal clone stream:          ${best(ours).toFixed(2)} s = ${mbps(best(ours)).toFixed(0)} MB/s   (runs: ${ours.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`ordinal / raw throughput: ${((100 * best(raw)) / best(ours)).toFixed(0)} %`);
