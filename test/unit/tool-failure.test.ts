import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureSummary } from '../../src/mariadb/run.js';

// mariadb-install-db's failure: the server's [ERROR] comes long before the advice it ends with.
const INSTALL_DB = `Installing MariaDB/MySQL system tables in '/tmp/x/data.init' ...
2026-12-02  6:03:11 0 [Warning] InnoDB: Linux Native AIO disabled.
2026-12-02  6:03:11 0 [ERROR] InnoDB: Cannot allocate memory for the buffer pool
2026-12-02  6:03:11 0 [ERROR] Aborting

Installation of system tables failed!  Examine the logs in
/tmp/x/data.init for more information.

The latest information about mysql_install_db is available at
https://mariadb.com/kb/en/installing-system-tables-mysql_install_db
You can find the latest source at https://downloads.mariadb.org and
the MariaDB discuss email list at https://lists.mariadb.org/postorius/lists/discuss.lists.mariadb.org/

Please check all of the above before submitting a bug report
at https://mariadb.org/jira`;

test('failureSummary', async (t) => {
  const cases: Array<[string, string, number, string]> = [
    ['install-db: the server\'s errors come first, then the tail', INSTALL_DB, 2,
      '2026-12-02  6:03:11 0 [ERROR] InnoDB: Cannot allocate memory for the buffer pool | 2026-12-02  6:03:11 0 [ERROR] Aborting | Please check all of the above before submitting a bug report | at https://mariadb.org/jira'],
    ['no error lines: the tail alone', 'one\ntwo\n\nthree\n', 2, 'two | three'],
    ['an error line inside the tail is said once', 'ok\nmariabackup: Error: cannot connect\n', 5, 'ok | mariabackup: Error: cannot connect'],
    ['an "ERROR 1045" client line counts', 'ERROR 1045 (28000): Access denied\na\nb\nc', 2, 'ERROR 1045 (28000): Access denied | b | c'],
    ['at most five error lines, the last ones', Array.from({ length: 8 }, (_, i) => `[ERROR] e${i}`).join('\n') + '\nend', 1,
      '[ERROR] e3 | [ERROR] e4 | [ERROR] e5 | [ERROR] e6 | [ERROR] e7 | end'],
    ['empty output', '', 5, ''],
  ];
  for (const [name, output, tail, want] of cases) {
    await t.test(name, () => assert.equal(failureSummary(output, tail), want));
  }
});
