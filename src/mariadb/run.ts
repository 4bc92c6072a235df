// Run a MariaDB tool (mariadb-install-db, mariadb-backup, chown) to completion.
import { spawn } from 'node:child_process';

/** Run a command to completion; reject with its exit code and the tail of its output. */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${cmd} exited with code ${code}: ${output.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}
