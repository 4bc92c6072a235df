// Shared by the tests against a real kube-apiserver: one control plane per test file.
import { after, before } from 'node:test';
import { kubeRequest } from '../../src/kube/request.js';
import type { KubeObject } from '../../src/kube/types.js';
import { startApiServer, type TestApiServer } from './apiserver.js';

/** Starts a control plane before the file's tests and stops it after; read `.server` inside tests. */
export function useApiServer(): { server: TestApiServer } {
  const holder = {} as { server: TestApiServer };
  before(async () => {
    holder.server = await startApiServer();
  });
  after(async () => {
    await holder.server?.stop();
  });
  return holder;
}

export async function createNamespace(server: TestApiServer, name: string): Promise<void> {
  await kubeRequest(server.kubeconfig, {
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
}

/** Polls until `check` returns a value other than undefined/false; fails only when really stuck. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function configMap(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** A namespaced CRD with a status subresource, for status and late-discovery tests. */
export function widgetCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.test.ordinal.dev' },
    spec: {
      group: 'test.ordinal.dev',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { size: { type: 'integer' } } },
                status: { type: 'object', properties: { phase: { type: 'string' }, observed: { type: 'integer' } } },
              },
            },
          },
        },
      ],
    },
  };
}
