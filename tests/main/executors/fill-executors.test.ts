/**
 * Placeholders with the run's values (issue #15) in the api and file executors, against a real
 * local HTTP target and a temp directory: built-ins, filters, url-encoding, `{{input…}}` as JSON
 * in bodies and contents, missing paths, truncated inputs. The values are what the runner hands
 * over in `ExecutionRequest.template` (tests/main/core covers how the runner builds them).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import type { ExecutionOutcome } from '../../../src/main/executors/types';
import type { ApiParams, FileParams, Task } from '../../../src/shared/domain';
import type { TemplateContext } from '../../../src/shared/templates';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';

const T0 = '2026-01-01T00:00:00.000Z';
const RUN: TemplateContext = {
  now: '2026-12-01T10:30:00.000Z',
  run: { id: 'run-7', scheduledFor: '2026-12-01T23:30:00.000Z' },
  task: { id: 'task-1', name: 'Save items' },
};
const PARENT_RESULT = {
  statusCode: 200,
  body: { items: [1, 2, 3], total: 3, name: 'a b/c?&d', form: { a: 'x y', b: 2 } },
  rows: [
    { name: 'Anna', city: 'Köln' },
    { name: 'Bo', city: 'Oslo' },
  ],
};
const CHAINED: TemplateContext = {
  ...RUN,
  parent: { id: 'run-6', scheduledFor: '2026-12-01T23:00:00.000Z' },
  input: { result: PARENT_RESULT },
};
const TRUNCATED: TemplateContext = {
  ...CHAINED,
  input: { result: PARENT_RESULT, truncated: true },
};

let target: HttpTarget;
let dir: string;
const api = new ApiExecutor({ env: {} });
const file = new FileExecutor({ homeDir: os.tmpdir(), env: {} });

beforeAll(async () => {
  target = await startHttpTarget();
});
afterAll(async () => {
  await api.close();
  await file.close();
  await target.close();
});
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fill-executors-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

interface RunOptions {
  template?: TemplateContext;
  operation?: 'read' | 'write';
  task?: Partial<Task>;
}

function request<T extends 'api' | 'file'>(
  type: T,
  params: T extends 'api' ? ApiParams : FileParams,
  options: RunOptions,
) {
  const operation = options.operation ?? 'write';
  const task = {
    id: 'task-1',
    name: 'Save items',
    type,
    operation,
    configId: 'c1',
    createdAt: T0,
    updatedAt: T0,
    ...options.task,
  } as Task;
  const config = { id: 'c1', name: 'cfg', type, params, createdAt: T0, updatedAt: T0 };
  return {
    task,
    operation,
    config: config as never,
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
    template: options.template ?? CHAINED,
  };
}

const runApi = (params: ApiParams, options: RunOptions = {}): Promise<ExecutionOutcome> =>
  api.execute(request('api', params, options));
const runFile = (params: FileParams, options: RunOptions = {}): Promise<ExecutionOutcome> =>
  file.execute(request('file', params, options));

/** What the target received last: raw URL, headers, body text. */
function lastRequest(): { url: string; headers: Record<string, unknown>; body: string } {
  const sent = target.requests.at(-1)!;
  return { url: sent.url, headers: sent.headers, body: sent.body.toString('utf8') };
}

describe('api placeholders with the run values', () => {
  it('fills every built-in into the url, a header and the body', async () => {
    await runApi({
      url: `${target.url}/echo?run={{run.id}}&at={{now}}&day={{run.scheduledFor | date: "yyyy-MM-dd" : "Asia/Tokyo"}}`,
      headers: { 'X-Task': '{{task.name}} ({{task.id}})' },
      body: { task: '{{task.id}}', name: '{{task.name | json}}', slot: '{{run.scheduledFor}}' },
    });
    const sent = lastRequest();
    expect(sent.url).toBe('/echo?run=run-7&at=2026-12-01T10%3A30%3A00.000Z&day=2026-12-02');
    expect(sent.headers['x-task']).toBe('Save items (task-1)');
    expect(JSON.parse(sent.body)).toEqual({
      task: 'task-1',
      name: '"Save items"',
      slot: '2026-12-01T23:30:00.000Z',
    });
  });

  it('percent-encodes values in the path and query, but not the scheme and host from a variable', async () => {
    const { result } = await runApi(
      {
        url: '{{base}}/echo/{{input.body.name}}?q={{input.body.name}}&u={{input.body.name | urlencode}}',
        variables: { base: target.url },
        method: 'GET',
      },
      { operation: 'read', task: { successStatuses: ['404'] } },
    );
    const encoded = 'a%20b%2Fc%3F%26d';
    expect(lastRequest().url).toBe(`/echo/${encoded}?q=${encoded}&u=${encoded}`);
    expect(result.url).toBe(`${target.url}/echo/${encoded}?q=${encoded}&u=${encoded}`);
  });

  it('encodes query map values once, as the request does for typed ones', async () => {
    const { result } = await runApi(
      { url: `${target.url}/echo`, query: { name: '{{input.body.name}}' }, method: 'GET' },
      { operation: 'read' },
    );
    expect((result.body as { query: unknown }).query).toEqual({ name: 'a b/c?&d' });
  });

  it('sends {{input.body.items}} as a JSON array, alone or inside a body', async () => {
    await runApi({ url: `${target.url}/echo`, body: '{{input.body.items}}' });
    expect(lastRequest().body).toBe('[1,2,3]');
    await runApi({
      url: `${target.url}/echo`,
      body: { items: '{{input.body.items}}', count: '{{input.body.items.length}}' },
    });
    expect(JSON.parse(lastRequest().body)).toEqual({ items: [1, 2, 3], count: 3 });
  });

  it('fills a text body as text and a form body from an object', async () => {
    await runApi({
      url: `${target.url}/echo`,
      body: 'items {{input.body.items}}',
      bodyType: 'text',
    });
    expect(lastRequest().body).toBe('items [1,2,3]');
    await runApi({ url: `${target.url}/echo`, body: '{{input.body.form}}', bodyType: 'form' });
    expect(lastRequest().body).toBe('a=x+y&b=2');
  });

  it('sends {{input.statusCode}} in a header', async () => {
    await runApi({
      url: `${target.url}/echo`,
      headers: { 'X-Parent-Status': '{{input.statusCode}}' },
    });
    expect(lastRequest().headers['x-parent-status']).toBe('200');
  });

  it('keeps \\{{ literal next to run values', async () => {
    await runApi({
      url: `${target.url}/echo`,
      headers: { 'X-Literal': '\\{{run.id}} {{run.id}}' },
    });
    expect(lastRequest().headers['x-literal']).toBe('{{run.id}} run-7');
  });

  it('refuses a path that does not exist, naming the keys that do, and sends nothing', async () => {
    const before = target.requests.length;
    await expect(
      runApi({ url: `${target.url}/echo`, body: { n: '{{input.body.itmes}}' } }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'body.n: input.body.itmes: no key "itmes" in input.body; it has items, total, name, form',
    });
    expect(target.requests.length).toBe(before);
  });

  it('refuses input in a run without a parent', async () => {
    await expect(
      runApi({ url: `${target.url}/echo?n={{input.body.total}}` }, { template: RUN }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'url: {{input.body.total}} reads the parent run, but this run has none: the task did not run after another task',
    });
  });

  it('refuses a truncated input with INPUT_TRUNCATED, and uses it when the task allows it', async () => {
    const before = target.requests.length;
    const params: ApiParams = { url: `${target.url}/echo`, body: '{{input.body.items}}' };
    await expect(runApi(params, { template: TRUNCATED })).rejects.toMatchObject({
      code: 'INPUT_TRUNCATED',
      message: expect.stringMatching(
        /^body: \{\{input\.body\.items\}\}: the parent run's result was truncated by the result size cap/,
      ) as unknown,
    });
    expect(target.requests.length).toBe(before);
    await runApi(params, { template: TRUNCATED, task: { allowTruncatedInput: true } });
    expect(lastRequest().body).toBe('[1,2,3]');
  });
});

describe('file placeholders with the run values', () => {
  it('writes {{input.body.items}} as JSON to a file named after the run slot', async () => {
    const location = path.join(dir, 'items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json');
    const { result } = await runFile({ location, format: 'json', content: '{{input.body.items}}' });
    const written = path.join(dir, 'items-2026-12-01.json');
    expect(result.location).toBe(written);
    expect(await fs.readdir(dir)).toEqual(['items-2026-12-01.json']);
    expect(JSON.parse(await fs.readFile(written, 'utf8'))).toEqual([1, 2, 3]);
  });

  it('formats the file name in the zone the date filter names', async () => {
    const location = path.join(
      dir,
      '{{run.scheduledFor | date: "yyyy-MM-dd" : "Europe/Berlin"}}.txt',
    );
    await runFile({ location, content: '{{task.name}} {{run.id}}' });
    expect(await fs.readFile(path.join(dir, '2026-12-02.txt'), 'utf8')).toBe('Save items run-7');
  });

  it('writes {{input.rows}} as CSV rows and {{input.body.items}} in text as JSON text', async () => {
    const csv = path.join(dir, 'rows.csv');
    await runFile({ location: csv, format: 'csv', content: '{{input.rows}}' });
    expect(await fs.readFile(csv, 'utf8')).toBe('name,city\r\nAnna,Köln\r\nBo,Oslo\r\n');
    const text = path.join(dir, 'items.txt');
    await runFile({ location: text, content: 'items: {{input.body.items}}' });
    expect(await fs.readFile(text, 'utf8')).toBe('items: [1,2,3]');
  });

  it('writes a string value as a JSON string with | json', async () => {
    const json = path.join(dir, 'name.json');
    await runFile({ location: json, format: 'json', content: '{{input.body.name | json}}' });
    expect(JSON.parse(await fs.readFile(json, 'utf8'))).toBe('a b/c?&d');
  });

  it('inserts a value into a local path as it is', async () => {
    await runFile({
      location: path.join(dir, '{{input.body.form.a}}.txt'),
      content: '{{input.statusCode}}',
    });
    expect(await fs.readFile(path.join(dir, 'x y.txt'), 'utf8')).toBe('200');
  });

  it('uploads to a URL whose path is filled and encoded, with a filled header', async () => {
    const { result } = await runFile({
      location: `${target.url}/upload?day={{run.scheduledFor | date: "yyyy-MM-dd"}}&name={{input.body.name}}`,
      headers: { 'X-Parent-Status': '{{input.statusCode}}' },
      format: 'json',
      content: { items: '{{input.body.items}}' },
    });
    expect(result.statusCode).toBe(200);
    const sent = lastRequest();
    expect(sent.url).toBe('/upload?day=2026-12-01&name=a%20b%2Fc%3F%26d');
    expect(sent.headers['x-parent-status']).toBe('200');
    expect(JSON.parse(sent.body)).toEqual({ items: [1, 2, 3] });
  });

  it('refuses a missing path and a truncated input, writing nothing', async () => {
    const location = path.join(dir, 'out.json');
    await expect(
      runFile({ location, format: 'json', content: [{ n: '{{input.body.count}}' }] }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'content[0].n: input.body.count: no key "count" in input.body; it has items, total, name, form',
    });
    await expect(
      runFile(
        { location, format: 'json', content: '{{input.body.items}}' },
        { template: TRUNCATED },
      ),
    ).rejects.toMatchObject({
      code: 'INPUT_TRUNCATED',
      message: expect.stringMatching(
        /^content: \{\{input\.body\.items\}\}: the parent run/,
      ) as unknown,
    });
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('fills a read location and leaves the content of a read alone', async () => {
    await fs.writeFile(path.join(dir, 'run-7.txt'), 'read me');
    const { result } = await runFile(
      { location: path.join(dir, '{{run.id}}.txt'), content: '{{input.nothing}}' },
      { operation: 'read' },
    );
    expect(result.data).toBe('read me');
  });
});
