import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Type from 'typebox';
import { KEPT_KEYWORDS, RESOURCE_KINDS, customResourceDefinitions, toOpenApi, type OpenApiSchema } from '../../src/api/crd.js';
import { deployFiles } from '../../src/builders/deploy-files.js';

const deploy = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');
const crds = customResourceDefinitions() as any[];
const rootOf = (crd: any): OpenApiSchema => crd.spec.versions[0].schema.openAPIV3Schema;

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const ALLOWED = new Set<string>(['type', 'properties', 'items', 'additionalProperties', 'required', 'x-kubernetes-preserve-unknown-fields', ...KEPT_KEYWORDS]);

/** Every node of an OpenAPI tree with its path. */
function* nodes(schema: OpenApiSchema, path: string): Generator<[string, OpenApiSchema]> {
  yield [path, schema];
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, OpenApiSchema>)) yield* nodes(v, `${path}.${k}`);
  if (schema.items) yield* nodes(schema.items as OpenApiSchema, `${path}[]`);
  if (typeof schema.additionalProperties === 'object') yield* nodes(schema.additionalProperties as OpenApiSchema, `${path}.*`);
}

test('every schema node is structural and speaks only apiextensions v1', async (t) => {
  for (const crd of crds) {
    await t.test(crd.spec.names.kind, () => {
      let count = 0;
      for (const [path, node] of nodes(rootOf(crd), '')) {
        count++;
        assert.ok(TYPES.has(node.type as string), `${path}: type ${String(node.type)}`);
        assert.deepEqual(Object.getOwnPropertySymbols(node), [], `${path}: symbol keys`);
        for (const k of Object.keys(node)) assert.ok(ALLOWED.has(k), `${path}: keyword ${k}`);
        if (node.type !== 'object') assert.equal(node.properties ?? node.additionalProperties ?? node['x-kubernetes-preserve-unknown-fields'], undefined, `${path}: object keywords on a ${node.type}`);
        if (node.type === 'array') assert.ok(node.items, `${path}: an array without items`);
        assert.ok(!(node.properties && node.additionalProperties), `${path}: properties and additionalProperties together`);
        for (const r of (node.required ?? []) as string[]) assert.ok(r in (node.properties as object), `${path}: required ${r} is not a property`);
        // RE2 (the API server's regex engine) has no lookarounds or back-references.
        if (node.pattern) assert.doesNotMatch(node.pattern as string, /\(\?[=!<]|\\[1-9]/, `${path}: pattern not RE2`);
      }
      assert.ok(count > 10, `only ${count} nodes walked`);
      assert.equal(JSON.stringify(crd).includes('errorMessage'), false);
    });
  }
});

test('the top of each schema: metadata is opaque, status is the operator\'s', () => {
  for (const crd of crds) {
    const p = rootOf(crd).properties as Record<string, OpenApiSchema>;
    assert.deepEqual(p.metadata, { type: 'object' });
    assert.deepEqual(p.status, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(rootOf(crd).required, ['spec']);
  }
});

test('maps: free-form config keeps unknown fields, string maps say so', () => {
  const spec = (rootOf(crds[0]).properties as any).spec;
  assert.deepEqual(spec.properties.mariadb.properties.config, { type: 'object', default: {}, 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(toOpenApi(Type.Record(Type.String(), Type.String()), 'labels'), { type: 'object', additionalProperties: { type: 'string' } });
  assert.deepEqual(toOpenApi(Type.Literal('x'), 'k'), { type: 'string', enum: ['x'] });
  assert.throws(() => toOpenApi(Type.Union([Type.String(), Type.Integer()]), 'spec.u'), /spec\.u: no structural OpenAPI type/);
  assert.throws(() => toOpenApi(Type.Unknown(), 'spec.x'), /spec\.x/);
});

/** [path, default] of every default in a TypeBox or OpenAPI tree (the same walk fits both). */
function defaults(schema: any, path: string, out: [string, unknown][] = []): [string, unknown][] {
  if (schema.default !== undefined) out.push([path, schema.default]);
  for (const [k, v] of Object.entries(schema.properties ?? {})) defaults(v, `${path}.${k}`, out);
  if (schema.items) defaults(schema.items, `${path}[]`, out);
  return out;
}

test('defaults equal the TypeBox defaults, and are not required of the user', () => {
  for (const [i, r] of RESOURCE_KINDS.entries()) {
    const fromTypeBox = defaults((r.schema as any).properties.spec, 'spec');
    const fromCrd = defaults((rootOf(crds[i]).properties as any).spec, 'spec');
    assert.ok(fromTypeBox.length > 0 || r.kind === 'MySQLRestore', `${r.kind}: no defaults found`);
    assert.deepEqual(fromCrd, fromTypeBox, r.kind);
    for (const [path, node] of nodes(rootOf(crds[i]), '')) {
      for (const req of (node.required ?? []) as string[]) {
        assert.equal((node.properties as any)[req].default, undefined, `${path}.${req} is required but has a default`);
      }
    }
  }
});

test('names, subresources and printer columns', () => {
  const summary = crds.map((c) => ({
    name: c.metadata.name,
    scope: c.spec.scope,
    names: [c.spec.names.kind, c.spec.names.plural, c.spec.names.singular, ...c.spec.names.shortNames].join(' '),
    version: `${c.spec.group}/${c.spec.versions[0].name}`,
    subresources: Object.keys(c.spec.versions[0].subresources).join(' '),
    columns: c.spec.versions[0].additionalPrinterColumns.map((p: any) => `${p.name}=${p.jsonPath}:${p.type}`).join(' '),
  }));
  assert.deepEqual(summary, [
    {
      name: 'mysqlclusters.ordinal.dev', scope: 'Namespaced', names: 'MySQLCluster mysqlclusters mysqlcluster myc', version: 'ordinal.dev/v1alpha1', subresources: 'status scale',
      columns: 'Replicas=.spec.replicas:integer Ready=.status.ready:string Primary=.status.primary:integer Phase=.status.phase:string Age=.metadata.creationTimestamp:date',
    },
    {
      name: 'mysqlbackups.ordinal.dev', scope: 'Namespaced', names: 'MySQLBackup mysqlbackups mysqlbackup myb', version: 'ordinal.dev/v1alpha1', subresources: 'status',
      columns: 'Cluster=.spec.clusterName:string Method=.spec.method:string Phase=.status.phase:string GTID=.status.gtid:string Bytes=.status.bytes:integer Age=.metadata.creationTimestamp:date',
    },
    {
      name: 'mysqlrestores.ordinal.dev', scope: 'Namespaced', names: 'MySQLRestore mysqlrestores mysqlrestore myr', version: 'ordinal.dev/v1alpha1', subresources: 'status',
      columns: 'Cluster=.spec.clusterName:string Backup=.spec.backupName:string Phase=.status.phase:string Age=.metadata.creationTimestamp:date',
    },
    {
      name: 'mysqlbackupschedules.ordinal.dev', scope: 'Namespaced', names: 'MySQLBackupSchedule mysqlbackupschedules mysqlbackupschedule mybs', version: 'ordinal.dev/v1alpha1', subresources: 'status',
      columns: 'Cluster=.spec.clusterName:string Schedule=.spec.schedule:string Suspend=.spec.suspend:boolean Last success=.status.lastSuccessTime:date Next=.status.nextScheduleTime:string Age=.metadata.creationTimestamp:date',
    },
  ]);
  assert.deepEqual(crds[0].spec.versions[0].subresources.scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
});

test('the files in deploy/ are what the generator writes (run `npm run manifests`)', async (t) => {
  const files = deployFiles();
  for (const [path, text] of Object.entries(files)) {
    await t.test(path, () => assert.equal(readFileSync(join(deploy, path), 'utf8'), text, `deploy/${path} is stale: run npm run manifests`));
  }
  await t.test('no stale generated files', () => {
    for (const dir of ['crds', 'helm/ordinal/crds', 'helm/ordinal/templates']) {
      for (const name of readdirSync(join(deploy, dir))) assert.ok(`${dir}/${name}` in files, `deploy/${dir}/${name} is not generated`);
    }
  });
});
