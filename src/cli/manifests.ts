// `ordinal manifests`: the YAML that installs Ordinal, printed for kubectl apply -f -.
import { Command, InvalidArgumentError } from 'commander';
import { Value } from 'typebox/value';
import { customResourceDefinitions } from '../api/crd.js';
import { dnsLabel } from '../api/common.js';
import { yamlDocuments } from '../builders/deploy-files.js';
import { INSTALL_DEFAULTS, installBundle } from '../builders/install.js';

export function manifestsCommand(): Command {
  const cmd = new Command('manifests').description('print Kubernetes manifests (pipe them to kubectl apply -f -)');

  cmd
    .command('crds')
    .description('the CustomResourceDefinitions of MySQLCluster, MySQLBackup, MySQLRestore and MySQLBackupSchedule')
    .action(() => {
      process.stdout.write(yamlDocuments(customResourceDefinitions()));
    });

  cmd
    .command('install')
    .description('everything: CRDs, namespace, service account, RBAC, the operator Deployment and its metrics Service')
    .option('-n, --namespace <namespace>', 'namespace of the operator', namespaceArg, INSTALL_DEFAULTS.namespace)
    .option('--image <image>', 'operator image (also the default MariaDB image)', imageArg, INSTALL_DEFAULTS.image)
    .option('--replicas <n>', 'operator replicas (one leads, the others stand by)', replicasArg, INSTALL_DEFAULTS.replicas)
    .action((opts: { namespace: string; image: string; replicas: number }) => {
      process.stdout.write(yamlDocuments(installBundle({ ...INSTALL_DEFAULTS, ...opts })));
    });

  return cmd;
}

const DNS_LABEL = dnsLabel();

function namespaceArg(value: string): string {
  if (!Value.Check(DNS_LABEL, value)) throw new InvalidArgumentError('must be a DNS label (lower-case letters, digits and "-").');
  return value;
}

function imageArg(value: string): string {
  if (!/^[^\s]+$/.test(value)) throw new InvalidArgumentError('must be an image reference without spaces.');
  return value;
}

function replicasArg(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > 10) throw new InvalidArgumentError('must be a whole number from 1 to 10.');
  return n;
}
