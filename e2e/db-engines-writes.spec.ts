/**
 * The db engines in the UI (issue #16), write side, against this machine's real PostgreSQL,
 * MariaDB, SQLite (a temp file) and Redis: a write configuration made in the form and tested
 * with "Test connection", then a write task run from the Tasks screen; its counts (or Redis
 * reply) are seen in the run detail, and what each of them wrote is read back with the engine's
 * own driver.
 */
import { expect, test } from '@playwright/test';
import {
  addSqlParameter,
  createNumbersTable,
  expectWriteCounts,
  fillRedisCommand,
  newDbConfiguration,
  newDbTask,
  REDIS_URI,
  runTaskAndOpenDetail,
  saveConfiguration,
  SQL_ENGINES,
  testConnection,
  type SqlEngineName,
  uniqueName,
  withRedis,
} from './support/db';
import { wipe } from './support/helpers';

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

for (const name of Object.keys(SQL_ENGINES) as SqlEngineName[]) {
  test(`a ${name} write configuration tests its INSERT and a write task inserts a row`, async ({
    page,
  }) => {
    const db = await SQL_ENGINES[name]();
    const { table, drop } = await createNumbersTable(db, 'e2e_write');
    const written = `SELECT n, label FROM ${table} ORDER BY n`;
    try {
      const form = await newDbConfiguration(page, `${name} writer`, db.uri);
      await expect(form.getByRole('group', { name: db.label })).toBeVisible();
      await form
        .getByLabel('SQL', { exact: true })
        .fill(`INSERT INTO ${table} (n, label) VALUES (${db.marker(1)}, ${db.marker(2)})`);
      await addSqlParameter(form, db.parameterLabel(1), '7', 'json');
      await addSqlParameter(form, db.parameterLabel(2), 'written by the UI');
      const tested = await testConnection(form, 'write');
      await expect(tested).toContainText('1 row changed');
      await expectWriteCounts(tested, [['Affected rows', '1']]);
      expect(await db.query(written)).toEqual([{ n: 7, label: 'written by the UI' }]);
      await saveConfiguration(page, form, `${name} writer`);

      await newDbTask(page, 'insert a row', `${name} writer`, 'write');
      const detail = await runTaskAndOpenDetail(page, 'insert a row');
      await expect(detail).toContainText(`query: 1 row changed in ${db.label}`);
      await expectWriteCounts(detail, [['Affected rows', '1']]);
      expect(await db.query(written)).toEqual([
        { n: 7, label: 'written by the UI' },
        { n: 7, label: 'written by the UI' },
      ]);
    } finally {
      await drop();
      await db.close();
    }
  });
}

test('a Redis SET configuration tests its command and a write task sets the key', async ({
  page,
}) => {
  const key = uniqueName('e2e:written');
  try {
    const form = await newDbConfiguration(page, 'redis writer', REDIS_URI);
    await expect(form.getByRole('group', { name: 'Redis' })).toBeVisible();
    await fillRedisCommand(form, ['SET', key, 'set by the UI']);
    const tested = await testConnection(form, 'write');
    await expect(tested.getByRole('region', { name: 'Redis reply' })).toContainText('SET → ');
    await expect(tested.getByRole('region', { name: 'Redis reply' })).toContainText('OK');
    // What the test wrote goes, so the value found later is the task's.
    expect(await withRedis((client) => client.getDel(key))).toBe('set by the UI');
    await saveConfiguration(page, form, 'redis writer');

    await newDbTask(page, 'set the key', 'redis writer', 'write');
    const detail = await runTaskAndOpenDetail(page, 'set the key');
    await expect(detail.getByRole('region', { name: 'Redis reply' })).toContainText('OK');
    expect(await withRedis((client) => client.get(key))).toBe('set by the UI');
  } finally {
    await withRedis((client) => client.del(key));
  }
});
