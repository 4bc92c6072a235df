// A store in a local folder: a sandbox's disk or a pod's mounted PersistentVolumeClaim.
// Objects are written to a temporary name and renamed, so a reader never sees half of one.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Store, StoredObject } from './store.js';

export class FileStore implements Store {
  readonly where: string;
  constructor(private readonly dir: string) {
    this.where = `file://${dir}`;
  }

  private path(key: string): string {
    if (key.split('/').some((s) => s === '..' || s === '')) throw new Error(`bad object key "${key}"`);
    return join(this.dir, key);
  }

  async put(key: string, body: Readable): Promise<void> {
    const path = this.path(key);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.partial`;
    try {
      await pipeline(body, createWriteStream(tmp, { mode: 0o600 }));
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  async putText(key: string, text: string): Promise<void> {
    const path = this.path(key);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.partial`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  }

  async get(key: string): Promise<Readable> {
    const path = this.path(key);
    if (!existsSync(path)) throw new Error(`${this.where}: no object ${key}`);
    return createReadStream(path);
  }

  async getText(key: string): Promise<string | undefined> {
    const path = this.path(key);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.isFile() && !e.name.endsWith('.partial')) {
          const key = relative(this.dir, path);
          if (key.startsWith(prefix)) found.push({ key, bytes: statSync(path).size });
        }
      }
    };
    walk(this.dir);
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async remove(keys: string[]): Promise<void> {
    for (const key of keys) rmSync(this.path(key), { force: true });
    // Folders left empty go too, up to the store's own folder.
    for (const key of keys) {
      let dir = dirname(this.path(key));
      while (dir.startsWith(this.dir) && dir !== this.dir) {
        try {
          if (readdirSync(dir).length > 0) break;
          rmSync(dir, { recursive: true });
        } catch {
          break;
        }
        dir = dirname(dir);
      }
    }
  }
}
