import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSpecError } from '../../src/api/validate.js';
import { readPasswordFile } from '../../src/platform/local/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'password-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cases: Array<{ name: string; content?: string; want: string | RegExp }> = [
  { name: 'the password, without the trailing newline', content: 's3cret\n', want: 's3cret' },
  { name: 'a missing file is refused', want: /spec\.database\.passwordFile: file .* does not exist/ },
  { name: 'an empty file is refused', content: ' \n', want: /spec\.database\.passwordFile: .* is empty/ },
];

for (const [i, c] of cases.entries()) {
  test(`readPasswordFile: ${c.name}`, () => {
    const file = join(dir, String(i));
    if (c.content !== undefined) writeFileSync(file, c.content);
    if (typeof c.want === 'string') assert.equal(readPasswordFile(file), c.want);
    else assert.throws(() => readPasswordFile(file), (err: Error) => err instanceof InvalidSpecError && (c.want as RegExp).test(err.message));
  });
}
