// `ordinal agent ...`: the commands of an instance pod (docs/kubernetes.md): two init
// containers and the sidecar. Every path and peer comes from the environment (agentConfig).
import { Command } from 'commander';
import pino from 'pino';
import { agentConfig } from '../agent/config.js';
import { initConfig } from '../agent/init-config.js';
import { initData } from '../agent/init-data.js';
import { serve } from '../agent/server.js';

const say = (line: string) => console.log(line);

export function agentCommand(): Command {
  const agent = new Command('agent').description('the instance agent that runs inside each MariaDB pod');

  agent
    .command('init-config')
    .description('render my.cnf, client.cnf and exporter.cnf for this pod')
    .action(async () => initConfig(agentConfig(), say));

  agent
    .command('init-data')
    .description('keep the data dir, or clone it from a peer, or initialize it (instance 0 of a new cluster)')
    .action(async () => initData(agentConfig(), say));

  agent
    .command('serve')
    .description('serve probes, status and clones on the agent port (9601)')
    .action(async () => {
      const cfg = agentConfig();
      const log = pino({ base: { ordinal: cfg.ordinal } });
      const server = await serve(cfg, log);
      const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections(); // a clone being served ends with us
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  return agent;
}
