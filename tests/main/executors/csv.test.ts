import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { parseCsv, stringifyCsv } from '../../../src/main/executors/csv';
import { FileExecutor } from '../../../src/main/executors/file-executor';
import type { ExecutionOutcome } from '../../../src/main/executors/types';
import { JsonStore } from '../../../src/main/store/json/json-store';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { FileParams, Run } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';

const T0 = '2026-01-01T00:00:00.000Z';

let dir: string;
const executor = new FileExecutor({ homeDir: os.tmpdir() });

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'csv-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await executor.close();
});

function runFile(
  params: FileParams,
  operation: 'read' | 'write' = 'read',
): Promise<ExecutionOutcome> {
  return executor.execute({
    task: undefined,
    operation,
    config: { id: 'c1', name: 'cfg', type: 'file', params, createdAt: T0, updatedAt: T0 },
    signal: new AbortController().signal,
    resultMaxBytes: 64 * 1024,
  });
}

describe('CSV rows cannot lose keys', () => {
  it('keeps a column named __proto__ as an own key that JSON.stringify writes', () => {
    const { header, rows } = parseCsv('__proto__,constructor,a\r\nx,y,1\r\n');
    expect(header).toEqual(['__proto__', 'constructor', 'a']);
    expect(Object.keys(rows[0]!)).toEqual(['__proto__', 'constructor', 'a']);
    expect(Object.hasOwn(rows[0]!, '__proto__')).toBe(true);
    expect(rows[0]!['__proto__']).toBe('x');
    expect(JSON.stringify(rows)).toBe('[{"__proto__":"x","constructor":"y","a":"1"}]');
  });

  it('gives rows no prototype, so no inherited key reads as a cell', () => {
    const { rows } = parseCsv('a\r\n1\r\n');
    expect(Object.getPrototypeOf(rows[0])).toBeNull();
    expect(rows[0]!['toString']).toBeUndefined();
  });

  it('reads a single-column record holding "" as a row with an empty cell, not a blank line', () => {
    expect(parseCsv('name\r\n""\r\nBo\r\n').rows).toEqual([{ name: '' }, { name: 'Bo' }]);
    expect(parseCsv('name\n""').rows).toEqual([{ name: '' }]);
  });

  it('still skips lines with no characters at all', () => {
    expect(parseCsv('a\r\n\r\n1\r\n\r\n').rows).toEqual([{ a: '1' }]);
  });

  it('counts blank lines in the record number of an error and names the line', () => {
    expect(() => parseCsv('a,b\n\n1\n')).toThrow(
      /line 3: record 3 has 1 field but the header has 2/,
    );
  });

  it('writes a single empty cell as "" so it reads back as a row', () => {
    const text = stringifyCsv([{ name: '' }, { name: 'Bo' }]);
    expect(text).toBe('name\r\n""\r\nBo\r\n');
    expect(parseCsv(text).rows).toEqual([{ name: '' }, { name: 'Bo' }]);
    expect(stringifyCsv([[''], ['x']])).toBe('""\r\nx\r\n');
  });

  it('writes a column named __proto__ from parsed rows and reads it back', () => {
    const rows = parseCsv('__proto__,b\r\nx,1\r\n').rows;
    expect(stringifyCsv(rows)).toBe('__proto__,b\r\nx,1\r\n');
  });

  it('reads a file with a __proto__ column and a single "" record without losing either', async () => {
    const file = path.join(dir, 'in.csv');
    await fs.writeFile(file, '__proto__\r\nx\r\n""\r\n');
    const { result } = await runFile({ location: file, format: 'csv' });
    expect(result.columns).toEqual(['__proto__']);
    expect(result.rowCount).toBe(2);
    expect(JSON.stringify(result.rows)).toBe('[{"__proto__":"x"},{"__proto__":""}]');
  });
});

describe('__proto__ columns in stored runs', () => {
  let app: App;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'csv-store-'));
  });

  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function readCsvThroughCore(store: 'memory' | 'json'): Promise<Run> {
    app = createApp({
      store: store === 'memory' ? new MemoryStore() : new JsonStore({ dataDir }),
      executors: { file: new FileExecutor() },
    });
    await app.start();
    try {
      const file = path.join(dir, 'in.csv');
      await fs.writeFile(file, 'id,__proto__\r\n1,polluted?\r\n2,""\r\n');
      const config = await app.core.call('configs.save', {
        config: { name: 'csv', type: 'file', params: { location: file, format: 'csv' } },
      });
      const task = await app.core.call('tasks.save', {
        task: { name: 'csv task', type: 'file', operation: 'read', configId: config.id },
      });
      const run = await app.core.call('tasks.run', { id: task.id });
      return await app.core.call('runs.get', { id: run.id });
    } finally {
      await app.stop();
    }
  }

  it.each(['memory', 'json'] as const)(
    'keeps a __proto__ column in the run result stored by the %s store',
    async (store) => {
      const run = await readCsvThroughCore(store);
      expect(run.status).toBe('succeeded');
      const rows = run.result?.rows as Array<Record<string, unknown>>;
      expect(rows.map((row) => Object.keys(row))).toEqual([
        ['id', '__proto__'],
        ['id', '__proto__'],
      ]);
      expect(JSON.stringify(rows)).toBe(
        '[{"id":"1","__proto__":"polluted?"},{"id":"2","__proto__":""}]',
      );
      expect(({} as Record<string, unknown>)['id']).toBeUndefined(); // nothing was polluted
    },
  );
});

describe('CSV formula escaping', () => {
  const rows = [
    { name: '=1+1', a: '+cmd', b: '-2+3', c: '@SUM(A1)', d: '\tx', e: '\rx' },
    { name: 'plain', a: -5, b: '-5', c: '+1.5', d: 'a=b', e: '' },
  ];

  it('prefixes a quote to cells starting with = + - @ tab or CR, and leaves numbers alone', () => {
    expect(stringifyCsv(rows, { escapeFormulas: true })).toBe(
      'name,a,b,c,d,e\r\n' +
        `'=1+1,'+cmd,'-2+3,'@SUM(A1),'\tx,"'\rx"\r\n` +
        'plain,-5,-5,+1.5,a=b,\r\n',
    );
  });

  it('escapes column names and the cells of array rows too', () => {
    expect(stringifyCsv([{ '=HYPERLINK("x")': 1 }], { escapeFormulas: true })).toBe(
      `"'=HYPERLINK(""x"")"\r\n1\r\n`,
    );
    expect(stringifyCsv([['=a', 'b']], { escapeFormulas: true, delimiter: ';' })).toBe("'=a;b\r\n");
  });

  it('writes cells raw without the option', () => {
    expect(stringifyCsv([{ a: '=1+1' }])).toBe('a\r\n=1+1\r\n');
  });

  it("escapes =1+1 as '=1+1 by default when writing rows to x.csv", async () => {
    const file = path.join(dir, 'x.csv');
    await runFile({ location: file, format: 'csv', content: [{ formula: '=1+1' }] }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe("formula\r\n'=1+1\r\n");
  });

  it('writes =1+1 raw to x.csv when escapeFormulas is false', async () => {
    const file = path.join(dir, 'x.csv');
    await runFile(
      { location: file, format: 'csv', escapeFormulas: false, content: [{ formula: '=1+1' }] },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('formula\r\n=1+1\r\n');
  });

  it('writes raw to a path not ending in .csv unless escapeFormulas is true', async () => {
    const file = path.join(dir, 'x.txt');
    await runFile({ location: file, format: 'csv', content: [{ f: '=1+1' }] }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('f\r\n=1+1\r\n');
    await runFile(
      { location: file, format: 'csv', escapeFormulas: true, content: [{ f: '=1+1' }] },
      'write',
    );
    expect(await fs.readFile(file, 'utf8')).toBe("f\r\n'=1+1\r\n");
  });

  it('treats an upper-case .CSV extension like .csv', async () => {
    const file = path.join(dir, 'X.CSV');
    await runFile({ location: file, format: 'csv', content: [['@x']] }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe("'@x\r\n");
  });

  it('writes CSV text content as it is, since it is already CSV', async () => {
    const file = path.join(dir, 'x.csv');
    await runFile({ location: file, format: 'csv', content: 'f\r\n=1+1\r\n' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('f\r\n=1+1\r\n');
  });

  describe('uploads', () => {
    let target: HttpTarget;

    beforeAll(async () => {
      target = await startHttpTarget();
    });

    afterAll(async () => {
      await target.close();
    });

    it('escapes by default when the URL path ends in .csv', async () => {
      // The target answers 404 for this path; what matters is the body it received.
      const upload = runFile(
        { location: `${target.url}/upload/report.csv`, format: 'csv', content: [{ f: '=1+1' }] },
        'write',
      );
      await expect(upload).rejects.toMatchObject({ code: 'HTTP_STATUS' });
      expect(target.requests.at(-1)?.body.toString('utf8')).toBe("f\r\n'=1+1\r\n");
      await runFile(
        { location: `${target.url}/upload`, format: 'csv', content: [{ f: '=1+1' }] },
        'write',
      );
      expect(target.requests.at(-1)?.body.toString('utf8')).toBe('f\r\n=1+1\r\n');
    });
  });
});
