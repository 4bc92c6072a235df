// A store in an S3 bucket (AWS or any S3-compatible server). Large objects go up as
// multipart uploads, which S3 assembles only when the last part arrived: a failed or killed
// upload leaves no object. Credentials come from the location (a Kubernetes Secret) or the
// SDK's standard chain (environment, shared credentials file), never from arguments.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { Location } from './location.js';
import { joinKey, type Store, type StoredObject } from './store.js';

// The pinned SDK supports Node 20; its notice about later versions is not for our users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const PART_BYTES = 16 * 1024 * 1024;

type S3Location = Extract<Location, { kind: 's3' }>;

export class S3Store implements Store {
  readonly where: string;
  private readonly client: S3Client;

  constructor(private readonly loc: S3Location) {
    this.where = `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
    this.client = new S3Client({
      region: loc.region,
      endpoint: loc.endpoint,
      forcePathStyle: loc.forcePathStyle,
      credentials: loc.credentials,
      // Checksums only where S3 requires them: several S3-compatible servers reject the
      // CRC32 headers newer SDKs send by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 5,
    });
  }

  private key(key: string): string {
    return joinKey(this.loc.prefix, key);
  }

  async put(key: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.loc.bucket, Key: this.key(key), Body: body },
      partSize: PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await this.explain(upload.done(), `writing ${key}`);
  }

  async putText(key: string, text: string): Promise<void> {
    await this.explain(this.client.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key: this.key(key), Body: text })), `writing ${key}`);
  }

  async get(key: string): Promise<Readable> {
    const r = await this.explain(this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.key(key) })), `reading ${key}`);
    return r.Body as Readable;
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.key(key) }));
      return await r.Body!.transformToString();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw this.error(err, `reading ${key}`);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    const base = this.loc.prefix ? `${this.loc.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.explain(
        this.client.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix: base + prefix, ContinuationToken: token })),
        'listing',
      );
      for (const o of page.Contents ?? []) found.push({ key: o.Key!.slice(base.length), bytes: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async remove(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((k) => ({ Key: this.key(k) }));
      await this.explain(this.client.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects } })), 'deleting');
    }
  }

  private async explain<T>(p: Promise<T>, what: string): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw this.error(err, what);
    }
  }

  /** One line that says what failed where; never the credentials or the signed request. */
  private error(err: unknown, what: string): Error {
    const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    const reason = e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? '') ? 'the S3 endpoint refused the connection' : `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
    return new Error(`${this.where}${this.loc.endpoint ? ` at ${this.loc.endpoint}` : ''}: ${what} failed${status}: ${reason}`);
  }
}

