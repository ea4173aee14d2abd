/**
 * `task-scheduler export` / `import` through the built command line (out/server/index.js), on
 * stores built by the composition root with the service's secrets codec: the file is the one
 * `system.export` writes, secrets are sealed unless `--include-secrets`, and bad arguments or an
 * unreachable database touch nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/main/app';
import { runCli } from '../../../src/main/cli/main';
import { composeApp } from '../../../src/main/compose';
import { FileKeyCodec } from '../../../src/main/secrets/file-key-codec';
import type { Configuration } from '../../../src/shared/domain';
import { apiConfig, entry, run, task } from '../../support/fixtures';
import { mongoTestTarget, uriWithDatabase, type MongoTestTarget } from '../../support/mongo-target';
import { killStarted, SERVE, start } from '../../support/serve-process';

const SECRET = 'cli-secret-0123456789';
const KEY = randomBytes(32).toString('base64');
const env = { TASK_SCHEDULER_SECRET_KEY: KEY, TASK_SCHEDULER_STORE: '' };

let target: MongoTestTarget;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  target = await mongoTestTarget();
});
afterAll(async () => {
  await target.stop();
});
afterEach(async () => {
  killStarted();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'ts-transfer-cli-'));
  cleanups.push(() => rm(made, { recursive: true, force: true }));
  return made;
}

/** An app on a json data dir, built as the service builds it (with the shared key). */
async function jsonApp(dataDir: string): Promise<App> {
  const secrets = await FileKeyCodec.open({ dataDir, env });
  return composeApp({ store: 'json', dataDir, schedule: false, secrets });
}

/** A json data dir holding one configuration with a secret, a task, an entry and four runs. */
async function seededDataDir(): Promise<string> {
  const dataDir = await tempDir();
  const app = await jsonApp(dataDir);
  await app.start();
  await app.store.putConfig(
    apiConfig('c1', {
      params: { url: 'http://127.0.0.1:9/', auth: { kind: 'bearer', token: SECRET } },
    } as Partial<Configuration>),
  );
  await app.store.putTask(task('t1', 'c1'));
  await app.store.putSchedule(entry('e1', 't1'));
  // Recent runs: opening an app applies the default retention (90 days).
  const recent = (i: number): string => new Date(Date.now() - (4 - i) * 60_000).toISOString();
  for (let i = 0; i < 4; i++) await app.store.insertRun(run(`r${i}`, recent(i)));
  await app.stop();
  return dataDir;
}

async function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const proc = start([SERVE, ...args], env);
  const code = await proc.exited;
  return { code, out: proc.out(), err: proc.err() };
}

describe('the export and import commands', () => {
  it('export a json data dir with its secrets sealed, and import the file into mongodb with the same key', async () => {
    const dataDir = await seededDataDir();
    const file = join(await tempDir(), 'cli.json');
    const exported = await cli(['export', '--data-dir', dataDir, '--file', file]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(
      /^Exported 1 configurations, 1 tasks, 1 schedule entries, 0 alerts, no settings, 4 runs from the json store in .* to .*cli\.json\n/,
    );
    expect(await readFile(file, 'utf8')).not.toContain(SECRET);

    const mongoUri = uriWithDatabase(target.uri, `${target.database}_cli`);
    const imported = await cli([
      'import',
      ...['--store', 'mongodb', '--mongo-uri', mongoUri, '--data-dir', await tempDir()],
      ...['--file', file],
    ]);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(
      /^Imported 1 configurations, .* 4 runs from .*cli\.json into the mongodb at mongodb:\/\//,
    );

    const mongo = composeApp({
      store: 'mongodb',
      dataDir: '',
      mongoUri,
      schedule: false,
      secrets: await FileKeyCodec.open({ dataDir: '', env }),
    });
    await mongo.start();
    cleanups.push(() => mongo.stop());
    expect((await mongo.core.call('runs.list', {})).items).toHaveLength(4);
    const config = await mongo.core.call('configs.get', { id: 'c1', reveal: true });
    expect(config.params).toMatchObject({ auth: { token: SECRET } });
  }, 30_000);

  it('writes the same file as system.export, and secrets in clear only with --include-secrets', async () => {
    const dataDir = await seededDataDir();
    const out = await tempDir();
    const fromCli = await cli(['export', '--data-dir', dataDir, '--file', join(out, 'cli.json')]);
    expect(fromCli.code).toBe(0);
    const clear = await cli([
      'export',
      ...['--data-dir', dataDir, '--file', join(out, 'clear.json'), '--include-secrets'],
    ]);
    expect(clear.code).toBe(0);
    expect(clear.out).toMatch(/holds secrets in clear/);
    expect(await readFile(join(out, 'clear.json'), 'utf8')).toContain(SECRET);

    const app = await jsonApp(dataDir);
    await app.start();
    await app.core.call('system.export', { file: join(out, 'api.json') });
    await app.stop();
    const withoutTime = async (name: string): Promise<string> =>
      (await readFile(join(out, name), 'utf8')).replace(/"exportedAt":"[^"]+"/, '');
    expect(await withoutTime('cli.json')).toBe(await withoutTime('api.json'));
  }, 30_000);

  it('explains bad arguments with exit code 2 and touches nothing', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const cases: Array<[string[], RegExp]> = [
      [['export'], /export: --file is required/],
      [
        ['import', '--file', 'x', '--store', 'mongodb'],
        /import: --store mongodb needs --mongo-uri/,
      ],
      [
        ['import', '--file', 'x', '--store', 'oracle'],
        /"oracle" is not a store; use one of memory, json, mongodb/,
      ],
      [
        ['import', '--file', 'x', '--include-secrets'],
        /import: unknown option "--include-secrets"/,
      ],
      [['export', '--file=x', '--file', 'y'], /export: --file is given twice/],
    ];
    for (const [argv, message] of cases) {
      lines.length = 0;
      expect(await runCli(argv, {}, io), argv.join(' ')).toBe(2);
      expect(lines[0]).toMatch(message);
    }
  });

  it('reports an unreachable database without showing its password', async () => {
    const dir = await tempDir();
    const result = await cli([
      'export',
      ...['--store', 'mongodb', '--file', join(dir, 'x.json'), '--data-dir', dir],
      ...['--mongo-uri', 'mongodb://u:hunter2@127.0.0.1:1/x?serverSelectionTimeoutMS=300'],
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /cannot open the mongodb at mongodb:\/\/u:••••••@127\.0\.0\.1:1\/x\S*: MongoStore: cannot reach MongoDB/,
    );
    expect(result.err + result.out).not.toContain('hunter2');
    expect(await readdir(dir)).toEqual([]);
  });
});
