import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLocalPath } from '../../../src/main/executors/file-executor';
import { BINARY_BODY } from '../../support/http-target';
import {
  dir,
  execute,
  failure,
  listDir,
  sha256,
  UNICODE,
  useFileSandbox,
} from './support/file-executor';

useFileSandbox();

describe('FileExecutor local writes and reads', () => {
  it('writes UTF-8 text with non-ASCII characters and reads it back byte for byte', async () => {
    const file = path.join(dir, 'note.txt');
    const written = await execute({ location: file, content: UNICODE }, 'write');
    expect(written.result).toMatchObject({
      location: file,
      bytes: Buffer.byteLength(UNICODE),
      mode: 'overwrite',
    });
    expect((await fs.readFile(file)).equals(Buffer.from(UNICODE, 'utf8'))).toBe(true);
    const read = await execute({ location: file });
    expect(read.result.data).toBe(UNICODE);
    expect(read.result.bytes).toBe(Buffer.byteLength(UNICODE));
    expect(read.result.encoding).toBe('utf8');
    expect(await listDir(dir)).toEqual(['note.txt']);
  });

  it('honours other encodings on write and read', async () => {
    const file = path.join(dir, 'latin.txt');
    await execute({ location: file, content: 'Grüße', encoding: 'latin1' }, 'write');
    expect(await fs.readFile(file)).toEqual(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]));
    expect((await execute({ location: file, encoding: 'latin1' })).result.data).toBe('Grüße');
  });

  it('overwrites an existing file atomically, keeping its permissions and leaving no temp file', async () => {
    const file = path.join(dir, 'data.txt');
    await fs.writeFile(file, 'old content that is longer');
    await fs.chmod(file, 0o640);
    await execute({ location: file, content: 'new' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect(await listDir(dir)).toEqual(['data.txt']);
  });

  it('appends to a file, creating it when missing', async () => {
    const file = path.join(dir, 'log.txt');
    await execute({ location: file, content: 'one\n', writeMode: 'append' }, 'write');
    const second = await execute(
      { location: file, content: 'two\n', writeMode: 'append' },
      'write',
    );
    expect(second.result.mode).toBe('append');
    expect(await fs.readFile(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('creates a new file in create mode and refuses to replace an existing one', async () => {
    const file = path.join(dir, 'once.txt');
    await execute({ location: file, content: 'first', writeMode: 'create' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('first');
    const error = await failure(
      execute({ location: file, content: 'second', writeMode: 'create' }, 'write'),
    );
    expect(error.code).toBe('EXISTS');
    expect(error.message).toContain(file);
    expect(error.message).toContain('"overwrite"');
    expect(await fs.readFile(file, 'utf8')).toBe('first');
    expect(await listDir(dir)).toEqual(['once.txt']);
  });

  it('reports a missing parent folder and says to set createDirs, creating nothing', async () => {
    const file = path.join(dir, 'a', 'b', 'out.txt');
    const error = await failure(execute({ location: file, content: 'x' }, 'write'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(path.join(dir, 'a', 'b'));
    expect(error.message).toContain('createDirs');
    expect(await listDir(dir)).toEqual([]);
  });

  it('creates missing parent folders when createDirs is set', async () => {
    const file = path.join(dir, 'a', 'b', 'out.txt');
    await execute({ location: file, content: 'x', createDirs: true }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('writes JSON values pretty-printed and reads them back parsed', async () => {
    const file = path.join(dir, 'data.json');
    const value = { name: 'Zoë', list: [1, { b: null }] };
    await execute({ location: file, content: value, format: 'json' }, 'write');
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(value);
    const read = await execute({ location: file, format: 'json' });
    expect(read.result.data).toEqual(value);
    expect(read.result.format).toBe('json');
  });

  it('writes CSV rows from objects and reads them back as the same rows', async () => {
    const file = path.join(dir, 'rows.csv');
    const rows = [
      { name: 'Anna', note: 'says "hi", twice' },
      { name: 'Bo', note: 'multi\nline' },
      { name: ' padded ', note: '' },
    ];
    await execute({ location: file, content: rows, format: 'csv' }, 'write');
    expect(await fs.readFile(file, 'utf8')).toBe(
      'name,note\r\nAnna,"says ""hi"", twice"\r\nBo,"multi\nline"\r\n" padded ",\r\n',
    );
    const read = await execute({ location: file, format: 'csv' });
    expect(read.result.rows).toEqual(rows);
    expect(read.result.columns).toEqual(['name', 'note']);
    expect(read.result.rowCount).toBe(3);
  });

  it('reads CSV with another delimiter', async () => {
    const file = path.join(dir, 'semi.csv');
    await fs.writeFile(file, '\uFEFFa;b\n1;"2;3"\n');
    const read = await execute({ location: file, format: 'csv', csvDelimiter: ';' });
    expect(read.result.rows).toEqual([{ a: '1', b: '2;3' }]);
  });

  it('writes base64 content as binary and reads it back as base64 with a checksum', async () => {
    const file = path.join(dir, 'blob.bin');
    await execute(
      { location: file, content: BINARY_BODY.toString('base64'), format: 'binary' },
      'write',
    );
    expect((await fs.readFile(file)).equals(BINARY_BODY)).toBe(true);
    const read = await execute({ location: file, format: 'binary' });
    expect(Buffer.from(read.result.data as string, 'base64').equals(BINARY_BODY)).toBe(true);
    expect(read.result.sha256).toBe(sha256(BINARY_BODY));
    expect(read.result.truncated).toBeUndefined();
  });

  it('bounds binary data to the result size, keeping valid base64', async () => {
    const file = path.join(dir, 'big.bin');
    const data = Buffer.alloc(10_000, 7);
    await fs.writeFile(file, data);
    const read = await execute({ location: file, format: 'binary' }, 'read', {
      resultMaxBytes: 1000,
    });
    const kept = Buffer.from(read.result.data as string, 'base64');
    expect((read.result.data as string).length).toBeLessThanOrEqual(998);
    expect(kept.equals(data.subarray(0, kept.length))).toBe(true);
    expect(read.result.truncated).toBe(true);
    expect(read.result.bytes).toBe(10_000);
    expect(read.result.sha256).toBe(sha256(data));
  });

  it('resolves ~/ against the home folder', async () => {
    expect(resolveLocalPath('~/x/y.txt', '/home/anna')).toBe('/home/anna/x/y.txt');
    const name = `${path.basename(dir)}/home.txt`;
    await execute({ location: `~/${name}`, content: 'home' }, 'write');
    expect(await fs.readFile(path.join(os.tmpdir(), name), 'utf8')).toBe('home');
  });
});
