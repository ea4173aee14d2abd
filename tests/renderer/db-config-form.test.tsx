// @vitest-environment jsdom
/**
 * The db configuration form for every engine (issue #16): the fields follow the URI's engine,
 * SQL parameter rows and the insert section, the Redis command as a list of arguments. Saved
 * through the real core; "Test connection" runs the real db executor against this machine's
 * PostgreSQL and Redis.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DbExecutor } from '../../src/main/executors/db-executor';
import { ConfigForm } from '../../src/renderer/src/components/ConfigForm';
import type { Configuration } from '../../src/shared/domain';
import { closedPort, PG_URI, REDIS_URI, uniqueName } from '../main/executors/db/db-support';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

let core: CoreClient;
let user: UserEvent;
beforeEach(async () => {
  resetStores();
  core = await startCoreClient({ db: new DbExecutor() });
  user = userEvent.setup();
});
afterEach(async () => {
  cleanup();
  await core.close();
});

const stored = (): Promise<Configuration[]> => core.app.core.call('configs.list', {});
const field = (label: string): HTMLInputElement => screen.getByLabelText(label);

/** Replaces a field's text with `text` as pasted (braces and brackets stay literal). */
async function fill(label: string, text: string): Promise<void> {
  await user.clear(field(label));
  await user.click(field(label));
  await user.paste(text);
}

/** A new db configuration form with a name and a connection URI. */
async function newDbForm(uri: string, onSaved = vi.fn()): Promise<void> {
  render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
  await user.selectOptions(field('Type'), 'db');
  await user.type(field('Name'), 'db config');
  await fill('Connection URI', uri);
}

async function save(onSaved: ReturnType<typeof vi.fn>): Promise<Record<string, unknown>> {
  await user.click(screen.getByRole('button', { name: 'Save configuration' }));
  await waitFor(() => expect(onSaved).toHaveBeenCalled());
  const [config] = await core.app.store.listConfigs();
  return config!.params as Record<string, unknown>;
}

const engineShown = (): string | null =>
  screen.getByRole('status', { name: 'Database engine' }).textContent;

describe('the db form follows the engine of the connection URI', () => {
  it('switches from the MongoDB fields to SQL, Redis and back as the URI changes', async () => {
    render(<ConfigForm onSaved={() => undefined} onCancel={() => undefined} />);
    await user.selectOptions(field('Type'), 'db');
    expect(screen.getByRole('group', { name: 'MongoDB' })).toBeInTheDocument();
    expect(field('Collection')).toBeInTheDocument();

    await fill('Connection URI', 'postgres://app:pa55-word@127.0.0.1:5432/shop');
    expect(screen.getByRole('group', { name: 'PostgreSQL' })).toBeInTheDocument();
    expect(field('SQL')).toBeInTheDocument();
    expect(screen.queryByLabelText('Collection')).not.toBeInTheDocument();
    expect(engineShown()).toBe('PostgreSQL — 127.0.0.1:5432');

    await fill('Connection URI', 'redis://:pa55-word@127.0.0.1:6379/0');
    expect(field('Command name')).toBeInTheDocument();
    expect(screen.queryByLabelText('SQL')).not.toBeInTheDocument();
    expect(engineShown()).toBe('Redis — 127.0.0.1:6379');

    await fill('Connection URI', 'mariadb://root@127.0.0.1/test');
    expect(engineShown()).toBe('MySQL — 127.0.0.1:3306');
    await fill('Connection URI', 'sqlite:///var/data/app.db');
    expect(engineShown()).toBe('SQLite — /var/data/app.db');
    expect(field('SQL')).toBeInTheDocument();

    await fill('Connection URI', 'mongodb://127.0.0.1:27017');
    expect(field('Collection')).toBeInTheDocument();
    expect(screen.queryByLabelText('SQL')).not.toBeInTheDocument();
  });

  it('keeps the last engine while the URI being typed names none, and says what is missing', async () => {
    await newDbForm('postgres://127.0.0.1/shop');
    await user.clear(field('Connection URI'));
    await user.type(field('Connection URI'), 'redis:');
    expect(field('SQL')).toBeInTheDocument();
    expect(field('Connection URI')).toHaveAccessibleDescription(/needs a host/);
    expect(screen.queryByRole('status', { name: 'Database engine' })).not.toBeInTheDocument();
    await user.type(field('Connection URI'), '//127.0.0.1');
    expect(field('Command name')).toBeInTheDocument();
  });
});

describe('SQL parameters', () => {
  it('saves parameter rows as text and JSON values bound in order', async () => {
    const onSaved = vi.fn();
    await newDbForm(PG_URI, onSaved);
    const sql = 'SELECT * FROM orders WHERE customer = $1 AND total > $2 AND tags @> $3';
    await fill('SQL', sql);
    for (let i = 0; i < 3; i++)
      await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await fill('Parameter $1', '{{input.id}}');
    await user.selectOptions(field('Parameter $2 kind'), 'json');
    await fill('Parameter $2', '100');
    await user.selectOptions(field('Parameter $3 kind'), 'json');
    await fill('Parameter $3', '["vip"]');
    const params = await save(onSaved);
    expect(params).toEqual({
      uri: PG_URI,
      query: { sql, params: ['{{input.id}}', 100, ['vip']] },
    });
  });

  it('flags a bad JSON parameter at its row and a placeholder inside the SQL, and saves nothing', async () => {
    const onSaved = vi.fn();
    await newDbForm(PG_URI, onSaved);
    await fill('SQL', 'SELECT * FROM t WHERE id = {{input.id}}');
    expect(field('SQL')).toHaveAccessibleDescription(/holds the placeholder \{\{input\.id\}\}/);
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.selectOptions(field('Parameter $1 kind'), 'json');
    await fill('Parameter $1', 'not json');
    expect(field('Parameter $1')).toHaveAccessibleDescription(/is not valid JSON/);
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText(/Fix the 2 highlighted fields; nothing was saved/)).toBeInTheDocument();
    expect(onSaved).not.toHaveBeenCalled();
    expect(await stored()).toHaveLength(0);
  });

  it('numbers the parameters by ? for MySQL and removes a row', async () => {
    await newDbForm('mysql://root@127.0.0.1:3306/test');
    await fill('SQL', 'SELECT ? AS a, ? AS b');
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await fill('Parameter 1 (?)', 'first');
    await fill('Parameter 2 (?)', 'second');
    await user.click(screen.getByRole('button', { name: 'Remove parameter 1 (?)' }));
    expect(field('Parameter 1 (?)')).toHaveValue('second');
    expect(screen.queryByLabelText('Parameter 2 (?)')).not.toBeInTheDocument();
  });
});

describe('SQL insert', () => {
  it('saves an insert with its rows, columns and the columns to update on conflict', async () => {
    const onSaved = vi.fn();
    await newDbForm(PG_URI, onSaved);
    await user.click(screen.getByRole('checkbox', { name: 'Insert rows (write tasks)' }));
    await fill('Table', 'public.orders');
    await fill('Rows (JSON array of objects)', '[{"id": 1, "total": 5, "note": "x"}]');
    await fill('Columns', 'id, total');
    await user.selectOptions(field('On conflict'), 'update');
    await fill('Columns to update', 'total');
    await fill('Conflict key columns', 'id');
    const params = await save(onSaved);
    expect(params).toEqual({
      uri: PG_URI,
      insert: {
        table: 'public.orders',
        rows: [{ id: 1, total: 5, note: 'x' }],
        columns: ['id', 'total'],
        onConflict: { update: ['total'], key: ['id'] },
      },
    });
  });

  it('opens a stored SQL configuration with its fields and saves it back unchanged', async () => {
    const params = {
      uri: 'sqlite::memory:',
      query: { sql: 'DELETE FROM t WHERE id = ? OR tag = ?', params: ['{{input.id}}', 7] },
      insert: { table: 't', rows: '{{input.rows}}', onConflict: 'ignore' as const },
      timeoutMs: 5000,
    };
    const saved = await core.app.core.call('configs.save', {
      config: { name: 'sqlite', type: 'db', params },
    });
    const onSaved = vi.fn();
    render(<ConfigForm config={saved} onSaved={onSaved} onCancel={() => undefined} />);
    expect(field('SQL')).toHaveValue(params.query.sql);
    expect(field('Parameter 1 (?)')).toHaveValue('{{input.id}}');
    expect(field('Parameter 1 (?) kind')).toHaveValue('text');
    expect(field('Parameter 2 (?)')).toHaveValue('7');
    expect(field('Parameter 2 (?) kind')).toHaveValue('json');
    expect(field('Rows (JSON array of objects)')).toHaveValue('{{input.rows}}');
    expect(field('On conflict')).toHaveValue('ignore');
    await user.type(field('Name'), ' 2');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const after = await core.app.store.getConfig(saved.id);
    expect(after?.name).toBe('sqlite 2');
    expect(after?.params).toEqual(params);
  });
});

describe('Redis command', () => {
  it('saves the command as one input per argument, added and removed', async () => {
    const onSaved = vi.fn();
    await newDbForm(REDIS_URI, onSaved);
    await fill('Command name', 'HSET');
    for (let i = 0; i < 4; i++)
      await user.click(screen.getByRole('button', { name: 'Add argument' }));
    await fill('Argument 1', 'user:{{input.id}}');
    await fill('Argument 2', 'unused');
    await fill('Argument 3', 'name');
    await fill('Argument 4', 'Ada Lovelace');
    await user.click(screen.getByRole('button', { name: 'Remove argument 2' }));
    const params = await save(onSaved);
    expect(params).toEqual({
      uri: REDIS_URI,
      command: ['HSET', 'user:{{input.id}}', 'name', 'Ada Lovelace'],
    });
  });

  it('flags an admin command at the command name and saves nothing', async () => {
    const onSaved = vi.fn();
    await newDbForm(REDIS_URI, onSaved);
    await fill('Command name', 'FLUSHALL');
    expect(field('Command name')).toHaveAccessibleDescription(/FLUSHALL is an admin command/);
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    expect(screen.getByText(/nothing was saved/)).toBeInTheDocument();
    expect(await stored()).toHaveLength(0);
  });
});

describe('Test connection', () => {
  const testResult = (): Promise<HTMLElement> =>
    screen.findByRole('region', { name: 'Test result' }, { timeout: 15_000 });

  it('runs a PostgreSQL read on the server and shows the rows with their column types', async () => {
    await newDbForm(PG_URI);
    await fill('SQL', 'SELECT $1::int AS n, $2::text AS word');
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.click(screen.getByRole('button', { name: 'Add parameter' }));
    await user.selectOptions(field('Parameter $1 kind'), 'json');
    await fill('Parameter $1', '7');
    await fill('Parameter $2', 'hello');
    expect(field('Test operation')).toHaveValue('read');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const result = await testResult();
    expect(result).toHaveTextContent('succeeded');
    const table = within(result).getByRole('table', { name: 'Result rows' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['n int4', 'word text']);
    expect(
      within(table)
        .getAllByRole('cell')
        .map((td) => td.textContent),
    ).toEqual(['7', 'hello']);
    expect(await stored()).toHaveLength(0);
  });

  it('shows the error code and message when the server cannot be reached', async () => {
    const port = await closedPort();
    await newDbForm(`postgres://root:s3cret-pw@127.0.0.1:${port}/test`);
    await fill('SQL', 'SELECT 1');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const result = await testResult();
    expect(result).toHaveTextContent('failed');
    const error = within(result).getByRole('alert');
    expect(error).toHaveTextContent(`CONNECTION: `);
    expect(error).toHaveTextContent(`PostgreSQL at 127.0.0.1:${port} cannot be reached`);
    expect(result).not.toHaveTextContent('s3cret-pw');
  });

  it('runs a Redis write and then a read, and shows the reply as a value', async () => {
    const key = uniqueName('ui-test');
    await newDbForm(REDIS_URI);
    await fill('Command name', 'SET');
    await user.click(screen.getByRole('button', { name: 'Add argument' }));
    await user.click(screen.getByRole('button', { name: 'Add argument' }));
    await fill('Argument 1', key);
    await fill('Argument 2', 'stored by the form');
    expect(field('Test operation')).toHaveValue('write');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await testResult()).toHaveTextContent('succeeded');

    await fill('Command name', 'GET');
    await user.click(screen.getByRole('button', { name: 'Remove argument 2' }));
    expect(field('Test operation')).toHaveValue('read');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Redis reply' })).toHaveTextContent(
        'GET → stringstored by the form',
      ),
    );
    await core.app.core.call('configs.test', {
      config: { name: 'cleanup', type: 'db', params: { uri: REDIS_URI, command: ['DEL', key] } },
      operation: 'write',
    });
  });

  it('tests an insert-only SQL configuration as a write, and says at the SQL field that a read needs a query', async () => {
    await newDbForm('sqlite::memory:');
    await user.click(screen.getByRole('checkbox', { name: 'Insert rows (write tasks)' }));
    await fill('Table', 't');
    await fill('Rows (JSON array of objects)', '[{"id": 1}]');
    expect(field('Test operation')).toHaveValue('write');
    await user.selectOptions(field('Test operation'), 'read');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() =>
      expect(field('SQL')).toHaveAccessibleDescription(/a read task needs query/),
    );
  });

  it('places the refusal of a write command in a read test at the command name', async () => {
    await newDbForm(REDIS_URI);
    await fill('Command name', 'HSET');
    await user.click(screen.getByRole('button', { name: 'Add argument' }));
    await fill('Argument 1', uniqueName('never'));
    await user.selectOptions(field('Test operation'), 'read');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() =>
      expect(field('Command name')).toHaveAccessibleDescription(/HSET is not a read-only command/),
    );
    expect(screen.getByText(/^Test failed to start: /)).toBeInTheDocument();
  });
});
