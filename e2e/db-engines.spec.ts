/**
 * The db engines in the UI (issue #16), read side, against this machine's real PostgreSQL,
 * MariaDB, SQLite (a temp file) and Redis (or TEST_PG_URI / TEST_MYSQL_URI / TEST_REDIS_URI):
 * configurations created in the form, "Test connection", and a read task whose run shows the
 * rows table. The write side is in db-engines-writes.spec.ts.
 */
import { expect, test } from '@playwright/test';
import {
  addSqlParameter,
  fillRedisCommand,
  createNumbersTable,
  newDbConfiguration,
  newDbTask,
  PG_URI,
  REDIS_URI,
  runTaskAndOpenDetail,
  saveConfiguration,
  SQL_ENGINES,
  testConnection,
  uniqueName,
  withRedis,
} from './support/db';
import { shot, wipe } from './support/helpers';

test.beforeEach(async ({ page }) => {
  await wipe(page);
});

test('a PostgreSQL configuration tests its connection and a read task shows the rows table', async ({
  page,
}) => {
  const form = await newDbConfiguration(page, 'pg numbers', PG_URI);
  await expect(form.getByRole('group', { name: 'PostgreSQL' })).toBeVisible();
  await expect(form.getByRole('status', { name: 'Database engine' })).toHaveText(
    /^PostgreSQL — [^@]+$/,
  );
  await form
    .getByLabel('SQL', { exact: true })
    .fill("SELECT g AS n, 'row ' || g AS label FROM generate_series(1, $1::int) AS g");
  await addSqlParameter(form, 'Parameter $1', '3', 'json');
  const tested = await testConnection(form, 'read');
  await expect(tested.getByRole('table', { name: 'Result rows' })).toContainText('label text');
  await shot(page, 'db-configuration-form', true);
  await saveConfiguration(page, form, 'pg numbers');

  await newDbTask(page, 'read numbers', 'pg numbers', 'read');
  const detail = await runTaskAndOpenDetail(page, 'read numbers');
  const table = detail.getByRole('table', { name: 'Result rows' });
  await expect(table.getByRole('columnheader')).toHaveText(['n int4', 'label text']);
  await expect(table.getByRole('row')).toHaveCount(1 + 3);
  await expect(table.getByRole('row').nth(3)).toHaveText('3row 3');
  await shot(page, 'db-run-rows');
});

/** The column headers (name and type) each engine reports for the numbers table. */
const NUMBERS_HEADERS = {
  MariaDB: ['n INT', 'label VARCHAR'],
  SQLite: ['n INT', 'label VARCHAR(100)'],
} as const;

for (const name of ['MariaDB', 'SQLite'] as const) {
  test(`a ${name} read configuration tests its SELECT with a parameter and shows the rows table`, async ({
    page,
  }) => {
    const db = await SQL_ENGINES[name]();
    const { table, drop } = await createNumbersTable(db, 'e2e_read');
    try {
      await db.query(
        `INSERT INTO ${table} (n, label) VALUES (1, 'row 1'), (2, 'row 2'), (3, 'row 3')`,
      );
      const form = await newDbConfiguration(page, `${name} numbers`, db.uri);
      await expect(form.getByRole('group', { name: db.label })).toBeVisible();
      await expect(form.getByRole('status', { name: 'Database engine' })).toContainText(
        `${db.label} — `,
      );
      await form
        .getByLabel('SQL', { exact: true })
        .fill(`SELECT n, label FROM ${table} WHERE n >= ${db.marker(1)} ORDER BY n`);
      await addSqlParameter(form, db.parameterLabel(1), '2', 'json');
      const tested = await testConnection(form, 'read');
      const rows = tested.getByRole('table', { name: 'Result rows' });
      await expect(rows.getByRole('columnheader')).toHaveText([...NUMBERS_HEADERS[name]]);
      await expect(rows.getByRole('row')).toHaveCount(1 + 2);
      await expect(rows.getByRole('row').nth(1)).toHaveText('2row 2');
      await expect(rows.getByRole('row').nth(2)).toHaveText('3row 3');
      await saveConfiguration(page, form, `${name} numbers`);
    } finally {
      await drop();
      await db.close();
    }
  });
}

test('a Redis configuration tests its command and shows the reply', async ({ page }) => {
  const key = uniqueName('e2e:greeting');
  try {
    const form = await newDbConfiguration(page, 'redis greeting', REDIS_URI);
    await expect(form.getByRole('status', { name: 'Database engine' })).toHaveText(
      /^Redis — [^@]+$/,
    );
    await fillRedisCommand(form, ['SET', key, 'hello from the UI']);
    const tested = await testConnection(form, 'write');
    await expect(tested.getByRole('region', { name: 'Redis reply' })).toContainText('OK');

    await form.getByLabel('Command name', { exact: true }).fill('GET');
    await form.getByRole('button', { name: 'Remove argument 2' }).click();
    await testConnection(form, 'read');
    await expect(tested.getByRole('region', { name: 'Redis reply' })).toContainText(
      'hello from the UI',
    );
    await shot(page, 'db-redis-reply', true);
    await saveConfiguration(page, form, 'redis greeting');
  } finally {
    await withRedis((client) => client.del(key));
  }
});
