// `ordinal local dashboard` and `kubectl ordinal dashboard`: start the dashboard server on
// 127.0.0.1, print its one-time URL, and serve until interrupted.
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { DashboardServer } from '../dashboard/server.js';
import type { DashboardSource } from '../dashboard/source.js';

export function dashboardOptions(command: Command): Command {
  return command
    .option('--port <port>', 'the port on 127.0.0.1 (default: one the system picks)', '0')
    .option('--read-only', 'show, but refuse every action')
    .option('--open', 'open the URL in the default browser (xdg-open)');
}

export async function serveDashboard(source: DashboardSource, o: { port: string; readOnly?: boolean; open?: boolean }): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${o.port}" is not a port number`);
  const server = new DashboardServer(source, !!o.readOnly);
  const url = await server.start(port);
  console.log(`the dashboard of ${source.where}${o.readOnly ? ' (read-only)' : ''}; open this URL (it works once, in one browser):\n${url}`);
  if (o.open) spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).on('error', () => console.error('xdg-open failed; open the URL yourself')).unref();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
  await server.stop();
}
