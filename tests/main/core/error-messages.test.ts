/**
 * What users read when the core refuses something (issue #17, "Messages"): a sentence in their
 * words with the field path, `details.issues` with the path as a list, and no method, module or
 * class name (`configs.save:`, `ScheduleEntry:`, `FileExecutor:`) in the message: the method is
 * kept for logs in `where`. Run errors recorded in runs follow the same rule.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { DbExecutor } from '../../../src/main/executors/db-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import { METHOD_NAMES, type MethodName } from '../../../src/shared/contract';
import { AppError, jsonSyntaxProblem } from '../../../src/shared/errors';

let app: App;
beforeEach(async () => {
  app = createApp({
    store: new MemoryStore(),
    executors: { file: new FileExecutor(), db: new DbExecutor() },
  });
  await app.start();
});
afterEach(async () => {
  await app.stop();
});

async function refusal(method: MethodName, params: unknown): Promise<AppError> {
  const error = await app.core.call(method, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`${method} did not refuse: ${String(error)}`);
  return error;
}

const api = (params: Record<string, unknown>, name = 'x'): unknown => ({
  config: { name, type: 'api', params: { url: 'http://a.test/', ...params } },
});
const task = (fields: Record<string, unknown>): unknown => ({
  task: { name: 't', type: 'api', operation: 'read', configId: 'nope', ...fields },
});

/** A method name (`configs.save: `) or a class or module name (`ScheduleEntry: `) first. */
const PREFIXED = new RegExp(
  `^(${METHOD_NAMES.map((m) => m.replace('.', '\\.')).join('|')}|[A-Z]\\w*): `,
);

describe('refusals read as sentences with the field they are about', () => {
  const cases: [string, MethodName, unknown, string[], string][] = [
    [
      'a timeout of 0',
      'configs.save',
      api({ timeoutMs: 0 }),
      ['config', 'params', 'timeoutMs'],
      'must be at least 1',
    ],
    [
      'a timeout of 1.5',
      'configs.save',
      api({ timeoutMs: 1.5 }),
      ['config', 'params', 'timeoutMs'],
      'must be a whole number',
    ],
    [
      'a timeout as text',
      'tasks.save',
      task({ timeoutMs: 'soon' }),
      ['task', 'timeoutMs'],
      'must be a number',
    ],
    ['an empty name', 'configs.save', api({}, ''), ['config', 'name'], 'must not be empty'],
    [
      'a missing field',
      'tasks.save',
      { task: { name: 't', type: 'api', configId: 'c' } },
      ['task', 'operation'],
      'is required: one of "read", "write"',
    ],
    [
      'an unknown field',
      'configs.save',
      api({ bogus: 1 }),
      ['config', 'params'],
      'has unknown field "bogus"; remove it',
    ],
    [
      'an unknown type',
      'configs.save',
      { config: { name: 'x', type: 'ftp', params: {} } },
      ['config', 'type'],
      'must be one of "api", "db", "file"',
    ],
    [
      'a URL that is not one',
      'configs.save',
      api({ url: 'not a url' }),
      ['config', 'params', 'url'],
      'must start with http:// or https:// (got "not a url")',
    ],
    [
      'an ftp URL',
      'configs.save',
      api({ url: 'ftp://a.test/' }),
      ['config', 'params', 'url'],
      '"ftp://a.test/" is not http(s); only http:// and https:// URLs are supported',
    ],
    [
      'two MongoDB read actions',
      'configs.save',
      {
        config: {
          name: 'm',
          type: 'db',
          params: { uri: 'mongodb://h/', database: 'd', collection: 'c', find: {}, count: {} },
        },
      },
      ['config', 'params'],
      'has find and count; keep one read action',
    ],
    [
      'a task without its configuration',
      'tasks.save',
      task({}),
      ['task', 'configId'],
      'no configuration with id "nope"; create it first or pick one from configs.list',
    ],
    [
      'an entry every 0 seconds',
      'schedules.save',
      { entry: { taskId: 't', kind: 'frequency', everySeconds: 0 } },
      ['entry', 'everySeconds'],
      'must be at least 1',
    ],
    [
      'concurrency 2.5',
      'settings.save',
      { settings: { concurrency: 2.5 } },
      ['settings', 'concurrency'],
      'must be a whole number',
    ],
    ['a list for an object', 'tasks.list', [1, 2], [], 'must be an object like {"key": "value"}'],
  ];

  it.each(cases)('%s', async (_label, method, params, path, message) => {
    const error = await refusal(method, params);
    expect(error.code).toBe('VALIDATION');
    expect(error.details).toEqual({ issues: [{ path, message }] });
    expect(error.message).toBe(path.length ? `${path.join('.')}: ${message}` : message);
    expect(error.message).not.toMatch(PREFIXED);
    expect(error.where).toBe(method);
    expect(error.toData()).not.toHaveProperty('where');
  });

  it('says which cron field is wrong without the ScheduleEntry prefix', async () => {
    const saved = await app.core.call('configs.save', api({}));
    const t = await app.core.call('tasks.save', task({ configId: saved.id }));
    const error = await refusal('schedules.save', {
      entry: { taskId: t.id, kind: 'cron', cron: '99 * * * *', timezone: 'UTC' },
    });
    expect(error.message).toMatch(/^cron "99 \* \* \* \*" is invalid: /);
    expect(error.details).toEqual({
      issues: [{ path: ['entry', 'cron'], message: error.message }],
    });
  });

  it('names a missing record without the method, keeping the method for logs', async () => {
    const error = await refusal('tasks.get', { id: 'ghost' });
    expect(error).toMatchObject({ code: 'NOT_FOUND', where: 'tasks.get' });
    expect(error.message).toBe(
      'no task with id "ghost"; it may have been deleted (tasks.list lists the tasks)',
    );
  });

  it('names the users of a configuration whose type cannot change, at config.type', async () => {
    const saved = await app.core.call('configs.save', api({}, 'Echo'));
    await app.core.call('tasks.save', task({ name: 'Fetch', configId: saved.id }));
    const error = await refusal('configs.save', {
      config: { id: saved.id, name: 'Echo', type: 'file', params: { location: '/tmp/x' } },
    });
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      'configuration "Echo" is used by task "Fetch"; its type cannot change from api to file',
    );
    expect(error.message).not.toMatch(PREFIXED);
  });
});

describe('run errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-messages-'));

  it('name a missing file without the executor class', async () => {
    const run = await app.core.call('configs.test', {
      config: { name: 'f', type: 'file', params: { location: join(dir, 'none.json') } },
      operation: 'read',
    });
    expect(run.error).toEqual({
      code: 'NOT_FOUND',
      message: `cannot read "${join(dir, 'none.json')}": it does not exist; check the path`,
    });
  });

  it('say "is not valid JSON" once for a file that is not JSON', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, 'not json');
    const run = await app.core.call('configs.test', {
      config: { name: 'f', type: 'file', params: { location: file, format: 'json' } },
      operation: 'read',
    });
    expect(run.error?.code).toBe('PARSE');
    expect(run.error?.message).toBe(
      `"${file}" is not valid JSON (unexpected token 'o'); fix the file or read it with format "text"`,
    );
  });

  it('say that a mongodb+srv host could not be found, naming the host', async () => {
    const run = await app.core.call('configs.test', {
      config: {
        name: 'm',
        type: 'db',
        params: {
          uri: 'mongodb+srv://nosuchhost.invalid/',
          database: 'd',
          collection: 'c',
          find: {},
        },
      },
      operation: 'read',
    });
    expect(run.error?.code).toBe('CONNECTION');
    expect(run.error?.message).toMatch(
      /^the MongoDB host nosuchhost\.invalid could not be found \(DNS \w+, looking up the mongodb\+srv record\); check the host name in the uri/,
    );
  });
});

describe('JSON syntax problems', () => {
  const problem = (text: string): string => {
    try {
      JSON.parse(text);
    } catch (error) {
      return jsonSyntaxProblem(error);
    }
    throw new Error('parsed');
  };

  it.each([
    ['not json', "unexpected token 'o'"],
    ['{"a": 1', /^expected ',' or '}' after property value at (line 1, column 8|position 7)$/],
    ['', 'unexpected end of the text'],
    [
      '{"a": 1} x',
      /^unexpected non-whitespace character after JSON at (line 1, column 10|position 9)$/,
    ],
  ])('%j reads as %s, without "is not valid JSON"', (text, expected) => {
    const message = problem(text);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
    expect(message).not.toMatch(/is not valid JSON/);
  });
});
