// Rewrites the generated files under deploy/ (CRDs, install.yaml, the Helm chart) from
// src/api and src/builders. test/unit/crd.test.ts fails when they are out of date.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployFiles } from '../src/builders/deploy-files.js';

const deploy = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy');
const files = deployFiles();

// A kind or template that no longer exists must not linger in the generated folders.
for (const dir of ['crds', 'helm/ordinal/crds', 'helm/ordinal/templates']) {
  for (const name of safeList(join(deploy, dir))) {
    if (!(`${dir}/${name}` in files)) rmSync(join(deploy, dir, name));
  }
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(deploy, path)), { recursive: true });
  writeFileSync(join(deploy, path), text);
}
console.log(`wrote ${Object.keys(files).length} files under deploy/`);

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
