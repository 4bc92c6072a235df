import { readFileSync } from 'node:fs';
import { isScalar, parseAllDocuments } from 'yaml';
import { InvalidSpecError, validateCluster } from './validate.js';
import type { MySQLCluster } from './cluster.js';

/** Read and validate a MySQLCluster from a YAML or JSON file. Throws InvalidSpecError. */
export function loadClusterFile(path: string): MySQLCluster {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseClusterText(text, path);
}

export function parseClusterText(text: string, source = 'input'): MySQLCluster {
  // A trailing '---' (common in generated YAML) yields an empty document: ignore it.
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null && !(isScalar(d.contents) && d.contents.value === null));
  if (docs.length !== 1) {
    throw new InvalidSpecError([{ path: '(document)', message: `${source} must hold exactly one MySQLCluster document, found ${docs.length}` }]);
  }
  const doc = docs[0];
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new InvalidSpecError([{ path: '(document)', message: `${source} is not valid YAML: ${e.message.split('\n')[0]}` }]);
  }
  const r = validateCluster(doc.toJS());
  if (!r.ok) throw new InvalidSpecError(r.errors);
  return r.value;
}
