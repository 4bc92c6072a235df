// Packs the kubectl plugin for krew: one bundled script (Node 20 is its only need) with the
// dashboard's page beside it, as dist/plugin/kubectl-ordinal.tar.gz, and the krew manifest for
// it (deploy/krew/ordinal.yaml with the archive's URL and sha256 filled in) beside the archive.
//   node scripts/pack-plugin.mjs [--base-url https://example.org/releases/v0.1.0]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'plugin');
const stage = join(out, 'kubectl-ordinal');
const at = process.argv.indexOf('--base-url');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const baseUrl = at > 0 ? process.argv[at + 1] : `https://github.com/ordinal-dev/ordinal/releases/download/v${version}`;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(stage, 'web'), { recursive: true });
await build({
  stdin: { contents: "import { runKubectl } from './src/cli/kubectl.ts';\nprocess.exitCode = await runKubectl(process.argv.slice(2));\n", resolveDir: root, loader: 'ts' },
  outfile: join(stage, 'kubectl-ordinal'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
chmodSync(join(stage, 'kubectl-ordinal'), 0o755);
for (const f of ['app.js', 'app.css', 'index.html']) copyFileSync(join(root, 'dist', 'web', f), join(stage, 'web', f));
// Reproducible: fixed times, owners and order, so the same sources give the same sha256.
const archive = join(out, 'kubectl-ordinal.tar.gz');
execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', stage, '-cf', join(out, 'kubectl-ordinal.tar'), '.']);
execFileSync('gzip', ['-n', '-9', join(out, 'kubectl-ordinal.tar')]);
const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
const manifest = readFileSync(join(root, 'deploy', 'krew', 'ordinal.yaml'), 'utf8')
  .replaceAll('{{VERSION}}', `v${version}`)
  .replaceAll('{{URI}}', `${baseUrl}/kubectl-ordinal.tar.gz`)
  .replaceAll('{{SHA256}}', sha256);
writeFileSync(join(out, 'ordinal.yaml'), manifest);
console.log(`${archive}\nsha256 ${sha256}\n${join(out, 'ordinal.yaml')}`);
