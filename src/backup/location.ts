// Where backups and archived binary logs live: a folder on this machine (a sandbox's disk, a
// pod's mounted claim) or an S3 bucket and prefix. Credentials are never part of a location:
// they come from the environment, a shared credentials file or a Secret.

export type Location =
  | { kind: 'file'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      /** Without leading or trailing "/"; may be empty. */
      prefix: string;
      /** An S3-compatible service; unset means AWS. */
      endpoint?: string;
      region: string;
      /** Bucket in the path, not the host name: what most S3-compatible servers need. */
      forcePathStyle: boolean;
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

export interface S3Options {
  endpoint?: string;
  region?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.=-]*$/;

/**
 * `file:///absolute/dir` or `s3://bucket/prefix`. `what` names the argument in errors
 * (such as "--to"). A custom endpoint uses path-style requests.
 */
export function parseLocation(text: string, what: string, s3: S3Options = {}): Location {
  const hint = 'give file:///absolute/dir or s3://bucket/prefix';
  if (text.startsWith('file://')) {
    const dir = text.slice('file://'.length).replace(/\/+$/, '') || '/';
    if (!dir.startsWith('/')) throw new Error(`${what}: "${text}" must name an absolute folder, such as file:///var/backups/ordinal`);
    if (dir.split('/').some((s) => s === '..' || s === '.')) throw new Error(`${what}: "${text}" must not contain "." or ".." segments`);
    return { kind: 'file', dir };
  }
  if (text.startsWith('s3://')) {
    const [bucket, ...rest] = text.slice('s3://'.length).split('/');
    if (!BUCKET.test(bucket)) throw new Error(`${what}: "${bucket}" is not an S3 bucket name (3-63 lower-case letters, digits, "." and "-")`);
    const segments = rest.filter(Boolean);
    const bad = segments.find((s) => !SEGMENT.test(s));
    if (bad) throw new Error(`${what}: the prefix segment "${bad}" may hold only letters, digits, "_", ".", "=" and "-", and must not start with "."`);
    const endpoint = s3.endpoint || undefined;
    if (endpoint && !/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/?$/.test(endpoint)) {
      throw new Error(`S3 endpoint "${endpoint}" must be an http:// or https:// URL with a host and an optional port`);
    }
    return { kind: 's3', bucket, prefix: segments.join('/'), endpoint, region: s3.region || 'us-east-1', forcePathStyle: endpoint !== undefined };
  }
  throw new Error(`${what}: "${text}" is not a location; ${hint}`);
}

/** For messages and manifests: no credentials, ever. */
export function describeLocation(loc: Location): string {
  if (loc.kind === 'file') return `file://${loc.dir}`;
  const where = `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
  return loc.endpoint ? `${where} at ${loc.endpoint}` : where;
}
