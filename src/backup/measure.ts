// Counts and hashes the bytes that pass: every stored file's size and SHA-256 are taken on
// the way to storage, and checked again on the way back.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Store } from './store.js';

export class Measure extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest?: string;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }

  /** The SHA-256 of everything that passed; call once the stream ended. */
  sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }
}

/**
 * Stream a stored object into `consume`, checking its size and SHA-256 against what was
 * recorded at upload; a mismatch (or a broken download) fails, after `consume` settled.
 */
export async function readChecked(
  store: Store,
  key: string,
  expect: { bytes: number; sha256: string },
  consume: (input: Readable) => Promise<void>,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const measure = new Measure(onBytes);
  const body = await store.get(key);
  body.on('error', (err) => measure.destroy(err));
  await consume(body.pipe(measure));
  if (measure.bytes !== expect.bytes || measure.sha256() !== expect.sha256) {
    throw new Error(`${store.where}/${key} is damaged: ${measure.bytes} bytes with SHA-256 ${measure.sha256()}, ${expect.bytes} bytes with ${expect.sha256} were recorded`);
  }
}
