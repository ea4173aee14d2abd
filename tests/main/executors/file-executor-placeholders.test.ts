import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import type { ExecutionOutcome } from '../../../src/main/executors/types';
import type { FileParams } from '../../../src/shared/domain';
import { JSON_BODY } from '../../support/http-target';
import {
  dir,
  execute,
  failure,
  listDir,
  target,
  UNKNOWN_NOPE,
  useFileSandbox,
} from './support/file-executor';

useFileSandbox();

describe('FileExecutor placeholders', () => {
  const env: NodeJS.ProcessEnv = { UPLOAD_TOKEN: 'tok-123', NOT_LISTED: 'hidden' };
  const withEnv = new FileExecutor({ homeDir: os.tmpdir(), env });
  const run = (
    params: FileParams,
    operation: 'read' | 'write' = 'read',
  ): Promise<ExecutionOutcome> => execute(params, operation, { executor: withEnv });

  beforeAll(() => {
    env.UPLOAD_HOST = target.url;
  });

  afterAll(async () => {
    await withEnv.close();
  });

  it('fills a local path for a write and a read of the same file', async () => {
    const location = path.join(dir, '{{customer}}-{{ day }}.json');
    const variables = { customer: 'acme', day: '2026-01-02' };
    const file = path.join(dir, 'acme-2026-01-02.json');
    const written = await run({ location, variables, format: 'json', content: { n: 1 } }, 'write');
    expect(written.result.location).toBe(file);
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ n: 1 });
    const read = await run({ location, variables, format: 'json' });
    expect(read.result.data).toEqual({ n: 1 });
    expect(read.result.location).toBe(file);
    expect(await listDir(dir)).toEqual(['acme-2026-01-02.json']);
  });

  it('fills a path under ~/ and then resolves it against the home folder', async () => {
    const location = `~/${path.basename(dir)}/{{customer}}.txt`;
    await run({ location, variables: { customer: 'acme' }, content: 'home' }, 'write');
    expect(await fs.readFile(path.join(dir, 'acme.txt'), 'utf8')).toBe('home');
  });

  it('fills an upload URL and header values from variables and allowed env vars', async () => {
    const { result } = await run(
      {
        location: '{{env.UPLOAD_HOST}}/upload?customer={{customer}}',
        variables: { customer: 'acme' },
        allowEnv: ['UPLOAD_HOST', 'UPLOAD_TOKEN'],
        headers: { Authorization: 'Bearer {{env.UPLOAD_TOKEN}}', 'X-Customer': '{{customer}}' },
        content: 'payload',
      },
      'write',
    );
    expect(result.statusCode).toBe(200);
    expect(result.location).toBe(`${target.url}/upload?customer=acme`);
    const request = target.requests.at(-1)!;
    expect(request.url).toBe('/upload?customer=acme');
    expect(request.headers['authorization']).toBe('Bearer tok-123');
    expect(request.headers['x-customer']).toBe('acme');
    expect(request.body.toString('utf8')).toBe('payload');
  });

  it('refuses an upload whose filled header would carry a line break, and sends nothing', async () => {
    const before = target.requests.length;
    await expect(
      run(
        {
          location: `${target.url}/upload`,
          variables: { id: 'a\r\nX-Injected: yes' },
          headers: { 'X-Customer': '{{id}}' },
          content: 'payload',
        },
        'write',
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message:
        'header "X-Customer" has a name or value a request cannot carry (line breaks, NUL or spaces in the name); fix it',
    });
    expect(target.requests.length).toBe(before);
  });

  it('fills a download URL', async () => {
    const { result } = await run({
      location: '{{env.UPLOAD_HOST}}/{{what}}',
      variables: { what: 'json' },
      allowEnv: ['UPLOAD_HOST'],
      format: 'json',
    });
    expect(result.data).toEqual(JSON_BODY);
    expect(result.url).toBe(`${target.url}/json`);
  });

  it('fills text content, inserting each value once as it is', async () => {
    const file = path.join(dir, 'greeting.txt');
    await run(
      {
        location: file,
        variables: { customer: 'Zoë', raw: '{{customer}}' },
        allowEnv: ['UPLOAD_TOKEN'],
        content: 'Hello {{customer}}, token {{env.UPLOAD_TOKEN}}, raw {{raw}}',
      },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('Hello Zoë, token tok-123, raw {{customer}}');
  });

  it('fills every string inside JSON content and leaves object keys alone', async () => {
    const file = path.join(dir, 'data.json');
    await run(
      {
        location: file,
        format: 'json',
        variables: { customer: 'acme', id: '42' },
        content: {
          customer: '{{customer}}',
          '{{id}}': 'key stays',
          list: ['#{{id}}', 7, true, null, { deep: '{{customer}}/{{id}}' }],
        },
      },
      'write',
    );
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({
      customer: 'acme',
      '{{id}}': 'key stays',
      list: ['#42', 7, true, null, { deep: 'acme/42' }],
    });
  });

  it('fills JSON text content and checks the filled text is still JSON', async () => {
    const file = path.join(dir, 'text.json');
    await run(
      { location: file, format: 'json', variables: { n: '5' }, content: '{"n": {{n}}}' },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('{"n": 5}');
    const error = await failure(
      run(
        { location: file, format: 'json', variables: { n: 'five' }, content: '{"n": {{n}}}' },
        'write',
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('not valid JSON');
    expect(await fs.readFile(file, 'utf8')).toBe('{"n": 5}');
  });

  it('fills the cells of CSV rows', async () => {
    const file = path.join(dir, 'rows.csv');
    await run(
      {
        location: file,
        format: 'csv',
        variables: { who: 'Anna' },
        content: [{ name: '{{who}}', note: 'hi {{who}}' }],
      },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('name,note\r\nAnna,hi Anna\r\n');
  });

  it('refuses an env var that allowEnv does not list, and one that is allowed but unset', async () => {
    await fs.writeFile(path.join(dir, 'keep.txt'), 'old');
    const hidden = await failure(
      run({ location: path.join(dir, '{{env.NOT_LISTED}}.txt'), content: 'x' }, 'write'),
    );
    expect(hidden.code).toBe('INVALID_CONFIG');
    expect(hidden.message).toBe(
      'location: placeholder {{env.NOT_LISTED}} has no value: environment variable NOT_LISTED is not allowed; add "NOT_LISTED" to params.allowEnv',
    );
    const unset = await failure(
      run(
        {
          location: path.join(dir, 'keep.txt'),
          allowEnv: ['NEVER_SET_VAR'],
          content: '{{env.NEVER_SET_VAR}}',
        },
        'write',
      ),
    );
    expect(unset.code).toBe('INVALID_CONFIG');
    expect(unset.message).toBe(
      'content: placeholder {{env.NEVER_SET_VAR}} has no value: environment variable NEVER_SET_VAR is not set; set it before starting the app or use params.variables',
    );
    expect(await listDir(dir)).toEqual(['keep.txt']);
    expect(await fs.readFile(path.join(dir, 'keep.txt'), 'utf8')).toBe('old');
  });

  it('refuses an unknown name, naming the field, and writes or sends nothing', async () => {
    const file = path.join(dir, 'keep.txt');
    await fs.writeFile(file, 'old');
    const cases: [FileParams, string][] = [
      [{ location: path.join(dir, '{{nope}}.txt'), content: 'x' }, 'location'],
      [{ location: file, content: 'new {{nope}}' }, 'content'],
      [{ location: file, format: 'json', content: { a: ['{{nope}}'] } }, 'content.a[0]'],
      [
        { location: `${target.url}/upload`, content: 'x', headers: { 'X-Id': '{{nope}}' } },
        'headers.X-Id',
      ],
    ];
    const requestsBefore = target.requests.length;
    for (const [params, field] of cases) {
      const error = await failure(run(params, 'write'));
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message).toBe(`${field}: ${UNKNOWN_NOPE}`);
    }
    expect(target.requests.length).toBe(requestsBefore);
    expect(await listDir(dir)).toEqual(['keep.txt']);
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    const read = await failure(run({ location: path.join(dir, '{{nope}}.txt') }));
    expect(read.message).toBe(`location: ${UNKNOWN_NOPE}`);
  });

  it('refuses a lone {{ and braces that hold no name', async () => {
    const file = path.join(dir, 'out.txt');
    const open = await failure(run({ location: file, content: 'a {{ b' }, 'write'));
    expect(open.code).toBe('INVALID_CONFIG');
    expect(open.message).toContain('content: "{{" at position 2 has no closing "}}"');
    const notName = await failure(run({ location: path.join(dir, '{{a b}}.txt') }));
    expect(notName.code).toBe('INVALID_CONFIG');
    expect(notName.message).toBe(
      'location: {{a b}} is not a placeholder: a name has no spaces in it',
    );
    expect(await listDir(dir)).toEqual([]);
  });

  it('checks a filled location like a typed one: relative paths, NUL bytes and other schemes', async () => {
    for (const [value, message] of [
      ['data', 'relative path'],
      [`${dir}/a\0b`, 'NUL byte'],
      ['ftp://example.com', 'not http(s)'],
    ] as const) {
      for (const operation of ['read', 'write'] as const) {
        const error = await failure(
          run(
            { location: '{{base}}/out.txt', variables: { base: value }, content: 'x' },
            operation,
          ),
        );
        expect(error.code).toBe('INVALID_CONFIG');
        expect(error.message).toContain(message);
      }
    }
    const relative = await failure(
      run({ location: '{{base}}/out.txt', variables: { base: 'data' }, content: 'x' }, 'write'),
    );
    expect(relative.message).toContain('location "data/out.txt" is a relative path');
    expect(await listDir(dir)).toEqual([]);
  });

  it('keeps \\{{ as literal braces in the location and the content', async () => {
    await run(
      {
        location: path.join(dir, '\\{{literal}}.txt'),
        variables: { x: 'X' },
        content: 'keep \\{{this}} but fill {{x}}',
      },
      'write',
    );
    expect(await listDir(dir)).toEqual(['{{literal}}.txt']);
    expect(await fs.readFile(path.join(dir, '{{literal}}.txt'), 'utf8')).toBe(
      'keep {{this}} but fill X',
    );
  });

  it('does not fill headers of a local file, which are never sent', async () => {
    const file = path.join(dir, 'local.txt');
    await fs.writeFile(file, 'local');
    const read = await run({ location: file, headers: { 'X-Unused': '{{nope}}' } });
    expect(read.result.data).toBe('local');
  });
});
