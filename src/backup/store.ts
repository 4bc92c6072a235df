// A place that holds objects by key: the backups' and the binary log archive's only view of
// storage. Keys are relative ("demo/20261130T205713Z/manifest.json"); each store puts them
// under its folder or prefix.
import type { Readable } from 'node:stream';
import type { Location } from './location.js';
import { FileStore } from './file-store.js';
import { S3Store } from './s3-store.js';

export interface StoredObject {
  key: string;
  bytes: number;
}

export interface Store {
  /** Where it is, for people: no credentials. */
  readonly where: string;
  /** Write a whole object from a stream; a failed write leaves no object under `key`. */
  put(key: string, body: Readable): Promise<void>;
  putText(key: string, text: string): Promise<void>;
  get(key: string): Promise<Readable>;
  /** The object's text, or undefined when there is no such object. */
  getText(key: string): Promise<string | undefined>;
  /** Every object whose key starts with `prefix`, at any depth. */
  list(prefix: string): Promise<StoredObject[]>;
  remove(keys: string[]): Promise<void>;
}

export function openStore(loc: Location): Store {
  return loc.kind === 'file' ? new FileStore(loc.dir) : new S3Store(loc);
}

/** Joins key segments with "/", ignoring empty ones. */
export function joinKey(...parts: string[]): string {
  return parts.flatMap((p) => p.split('/')).filter(Boolean).join('/');
}
