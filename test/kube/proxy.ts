// A TCP relay to the API server that a test can cut, to partition one client from it.
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface Partition {
  kubeconfig: KubeConfig;
  /** Drop every connection and refuse new ones. */
  cut(): void;
  close(): Promise<void>;
}

export async function relayTo(target: KubeConfig): Promise<Partition> {
  const cluster = target.getCurrentCluster()!;
  const upstream = new URL(cluster.server);
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const up = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(up).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromOptions({
    clusters: [{ ...cluster, name: 'relay', server: `https://127.0.0.1:${port}` }],
    users: target.users,
    contexts: [{ name: 'relay', cluster: 'relay', user: target.getCurrentUser()!.name }],
    currentContext: 'relay',
  });
  return {
    kubeconfig,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut = true;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
