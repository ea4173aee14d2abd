/**
 * The logger in process (src/main/logging/): the line formats, levels, secret scrubbing, and the
 * desktop app's size-rotated file in a temp dir.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/shared/domain';
import { createLogger, type LogLevel } from '../../../src/main/logging/logger';
import { prettyLine } from '../../../src/main/logging/pretty';
import { RotatingFile } from '../../../src/main/logging/rotating-file';
import { scrubText } from '../../../src/main/logging/scrub';

function capture(isTTY = false): {
  lines: string[];
  output: { isTTY: boolean; write: (l: string) => void };
} {
  const lines: string[] = [];
  return { lines, output: { isTTY, write: (line) => lines.push(line) } };
}

function jsonLogger(level: LogLevel): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const { lines, output } = capture();
  return { lines, log: createLogger({ level, output, name: 'test' }) };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the logger', () => {
  it('writes one JSON object a line, with level, ISO time, pid, name and fields, when not on a terminal', () => {
    const { lines, log } = jsonLogger('info');
    log.child({ component: 'runs' }).warn('run failed', { task: 'Nightly', durationMs: 12 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      pid: process.pid,
      name: 'test',
      component: 'runs',
      task: 'Nightly',
      durationMs: 12,
      msg: 'run failed',
    });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('writes readable one-line text on a terminal', () => {
    const { lines, output } = capture(true);
    createLogger({ level: 'info', output }).error('could not start', { port: 8787, why: 'in use' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ERROR could not start {2}port=8787 why="in use"\n$/,
    );
  });

  it('writes only lines at or above its level, and nothing at silent', () => {
    const { lines, log } = jsonLogger('warn');
    log.debug('hidden');
    log.info('hidden too');
    log.warn('shown');
    log.error('shown too');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'shown',
      'shown too',
    ]);
    expect(log.isEnabled('info')).toBe(false);
    const silent = jsonLogger('silent');
    silent.log.fatal('never');
    expect(silent.lines).toEqual([]);
  });

  it('keeps secrets off the line: secret fields by name, passwords in URIs, credentials in text, error messages', () => {
    const { lines, log } = jsonLogger('trace');
    log.error('connect to postgres://ada:pg-pass-1@db:5432/x failed; sent Bearer tok-en.123456', {
      headers: { Authorization: 'Basic YWRhOnNlY3JldA==', accept: 'json' },
      password: 'field-pass-2',
      apiKey: 'key-3',
      url: 'https://api.example.com/v1?token=query-tok-4&page=2',
      error: new Error('mongodb+srv://ada:mongo-pass-5@cluster.example.net refused'),
    });
    const text = lines.join('');
    for (const secret of [
      'pg-pass-1',
      'tok-en.123456',
      'YWRhOnNlY3JldA',
      'field-pass-2',
      'key-3',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('query-tok-4');
    expect(text).not.toContain('mongo-pass-5');
    const line = JSON.parse(lines[0]!) as {
      headers: unknown;
      url: string;
      error: unknown;
      msg: string;
    };
    expect(line.headers).toEqual({ Authorization: REDACTED, accept: 'json' });
    expect(line.url).toBe(`https://api.example.com/v1?token=${REDACTED}&page=2`);
    expect(line.error).toEqual({
      type: 'Error',
      message: `mongodb+srv://ada:${REDACTED}@cluster.example.net refused`,
    });
    expect(line.msg).toBe(
      `connect to postgres://ada:${REDACTED}@db:5432/x failed; sent Bearer ${REDACTED}`,
    );
  });

  it('leaves ordinary words alone', () => {
    expect(scrubText('basic refused; Bearer auth needed; see https://example.com/a@b')).toBe(
      'basic refused; Bearer auth needed; see https://example.com/a@b',
    );
    expect(scrubText('mongodb://ada:p@ss@host/db')).toBe(`mongodb://ada:${REDACTED}@host/db`);
  });

  it('passes a line that is not JSON through the readable form unchanged', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });
});

describe('the rotating log file', () => {
  async function logDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'log-file-'));
    dirs.push(dir);
    return dir;
  }

  it('appends JSON lines to a private file and turns it over by size, keeping the newest files', async () => {
    const dir = await logDir();
    const file = join(dir, 'logs', 'app.log');
    const rotating = new RotatingFile({ file, maxBytes: 600, keep: 2 });
    const { output } = capture();
    const log = createLogger({ level: 'info', output, file: rotating });
    for (let i = 0; i < 20; i++) log.info(`line ${i}`, { pad: 'x'.repeat(40) });
    rotating.close();

    expect((await readdir(join(dir, 'logs'))).sort()).toEqual([
      'app.log',
      'app.log.1',
      'app.log.2',
    ]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const read = async (name: string): Promise<string[]> =>
      (await readFile(join(dir, 'logs', name), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
    const newestFirst = [
      ...(await read('app.log')),
      ...(await read('app.log.1')),
      ...(await read('app.log.2')),
    ];
    for (const name of ['app.log', 'app.log.1', 'app.log.2']) {
      expect((await stat(join(dir, 'logs', name))).size).toBeLessThanOrEqual(600);
    }
    // The current file ends with the last line; older ones hold earlier lines, the oldest dropped.
    expect(newestFirst).toContain('line 19');
    expect(newestFirst).not.toContain('line 0');
    const current = await read('app.log');
    expect(current.at(-1)).toBe('line 19');
    const previous = await read('app.log.1');
    expect(Number(previous.at(-1)!.split(' ')[1])).toBe(Number(current[0]!.split(' ')[1]) - 1);
  });

  it('continues an existing file and counts its size', async () => {
    const dir = await logDir();
    const file = join(dir, 'app.log');
    await writeFile(file, '{"msg":"old"}\n'.repeat(30)); // 420 bytes
    const rotating = new RotatingFile({ file, maxBytes: 430 });
    rotating.write('{"msg":"new"}\n');
    rotating.close();
    expect(await readFile(file, 'utf8')).toBe('{"msg":"new"}\n');
    expect(await readFile(`${file}.1`, 'utf8')).toBe('{"msg":"old"}\n'.repeat(30));
  });

  it('drops lines without throwing when the file cannot be opened', async () => {
    const dir = await logDir();
    await writeFile(join(dir, 'not-a-folder'), '');
    const rotating = new RotatingFile({ file: join(dir, 'not-a-folder', 'app.log') });
    expect(rotating.writable).toBe(false);
    const { lines, output } = capture();
    const log = createLogger({ level: 'info', output, file: rotating });
    log.warn('still logged to the output');
    rotating.close();
    expect(lines).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['not-a-folder']);
  });
});
