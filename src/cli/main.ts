#!/usr/bin/env node
// Entry point of the `ordinal` command.
import { Command } from 'commander';
import { InvalidSpecError } from '../api/validate.js';
import { loadClusterFile } from '../api/load.js';
import { agentCommand } from './agent.js';
import { backupCommand } from './backup.js';
import { jobCommand } from './job.js';
import { localCommand } from './local.js';
import { operatorCommand, rebuildCommand, switchoverCommand } from './operator.js';
import { manifestsCommand } from './manifests.js';
import { CliError } from './kube-requests.js';

const program = new Command('ordinal')
  .description('Highly available MariaDB clusters: a Kubernetes operator and a local sandbox')
  .showHelpAfterError();

program
  .command('validate')
  .description('check a MySQLCluster file and print every problem with its field path')
  .requiredOption('-f, --file <file>', 'MySQLCluster YAML or JSON')
  .action((opts: { file: string }) => {
    const c = loadClusterFile(opts.file);
    console.log(`${opts.file}: MySQLCluster ${c.metadata.name} is valid (${c.spec.replicas} instance(s))`);
  });

program.addCommand(localCommand());
program.addCommand(operatorCommand());
program.addCommand(switchoverCommand());
program.addCommand(rebuildCommand());
program.addCommand(manifestsCommand());
program.addCommand(backupCommand());
program.addCommand(agentCommand());
program.addCommand(jobCommand(), { hidden: true });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError) {
    console.error(`error: ${err.message}`);
    process.exit(err.exitCode);
  }
  if (err instanceof InvalidSpecError) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
