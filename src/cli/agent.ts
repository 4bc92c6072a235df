// `ordinal agent ...`: the commands of an instance pod (docs/kubernetes.md): two init
// containers and the sidecar. Every path and peer comes from the environment (agentConfig).
import { Command } from 'commander';
import pino from 'pino';
import { agentConfig } from '../agent/config.js';
import { initConfig } from '../agent/init-config.js';
import { initData } from '../agent/init-data.js';
import { serve } from '../agent/server.js';
import { awaitStartArgs } from '../agent/start-args.js';

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
    .command('start-args')
    .description("wait for the operator's start mode and print mariadbd's extra arguments (logs go to stderr)")
    .option('--silence-seconds <n>', 'start keeping the tail after this long without any word from the operator', '30')
    .action(async (o: { silenceSeconds: string }) => {
      const silence = Number(o.silenceSeconds);
      if (!(silence >= 0)) throw new Error('--silence-seconds must be a number of seconds >= 0');
      const args = await awaitStartArgs(agentConfig(), { silenceMs: silence * 1000, say: (line) => console.error(line) });
      console.log(args.join(' '));
    });

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
