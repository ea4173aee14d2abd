/**
 * The service fuzz suite (issue #12): random and adversarial bodies for every contract method,
 * through the HTTP API of a real service process (the built entry, json store). Asserted: no
 * 5xx ever, every error body is `{error: {code, message}}`, a rejected (4xx) mutation changes
 * nothing, and the service still answers afterwards.
 *
 * Seeded and bounded for CI (FUZZ_RUNS, default 3,000 requests, ~15 s; FUZZ_SEED); a release run:
 * `FUZZ_RUNS=10000 npx vitest run tests/main/server/fuzz-service.test.ts` (docs/headless.md).
 */
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../../src/shared/contract';
import { killStarted, serveJson, type Proc } from '../../support/serve-process';
import { mutatedBody, rawAny } from './fuzz-arbitraries';
import { fuzzTemplates, READS } from './fuzz-templates';

const TOKEN = 'fuzz-token-0123456789';
const RUNS = Number(process.env.FUZZ_RUNS) || 3000;
const SEED = Number(process.env.FUZZ_SEED) || 20_260_112;

let proc: Proc;
let base: string;
let dir: string;
let deepServer: Server;
let deepUrl: string;
const seed: Record<string, string> = {};

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

/** The service's body cap (docs/headless.md, "Body cap"). */
const BODY_CAP = 1024 * 1024;

async function post(
  method: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(`${base}api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    // Over the cap the service answers 413 and closes at once, as documented: a client still
    // sending may see the connection go before it reads the answer.
    if (Buffer.byteLength(body) > BODY_CAP) {
      return { status: 413, json: { error: { code: 'VALIDATION', message: 'closed' } }, text: '' };
    }
    throw error;
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function ok<T = Record<string, unknown>>(method: string, params: unknown): Promise<T> {
  const answer = await post(method, JSON.stringify(params));
  if (answer.status !== 200) throw new Error(`${method} answered ${answer.status}: ${answer.text}`);
  return (answer.json as { result: T }).result;
}

const short = (body: string): string =>
  body.length > 300 ? `${body.slice(0, 300)}… (${body.length} chars)` : body;

/** One fuzzed request; fast-check reports it shortened (bodies reach 1 MiB). */
class Sample {
  constructor(
    readonly method: string,
    readonly body: string,
  ) {}

  [fc.toStringMethod](): string {
    return `${this.method} ${short(this.body)}`;
  }
}

/** No 5xx, and an error answer is exactly `{error: {code, message, details?}}`. */
function expectWellFormed(method: string, body: string, answer: Answer): void {
  const where = `${method} ${short(body)}`;
  expect(answer.status, `${where} → ${answer.text.slice(0, 500)}`).toBeLessThan(500);
  if (answer.status === 200) return;
  const error = (answer.json as { error?: unknown } | undefined)?.error as
    Record<string, unknown> | undefined;
  expect(Object.keys(answer.json as object), where).toEqual(['error']);
  expect(typeof error?.code, where).toBe('string');
  expect(typeof error?.message, where).toBe('string');
  expect(
    Object.keys(error!).every((k) => ['code', 'message', 'details'].includes(k)),
    where,
  ).toBe(true);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SCHEDULE_TIMES = [
  'startAt',
  'endAt',
  'anchorAt',
  'lastRunAt',
  'nextRunAt',
  'createdAt',
  'updatedAt',
];

/** Every stored time is a valid ISO time with a four-digit year (no "+033715-…"). */
function expectIsoTimes(record: Record<string, unknown>, fields: string[]): void {
  for (const field of fields) {
    if (record[field] !== undefined)
      expect(record[field], `${field} of ${String(record.id)}`).toMatch(ISO);
  }
}

/** What a rejected mutation must leave alone (the scheduler's own lastRunAt/nextRunAt aside). */
async function snapshot(): Promise<string> {
  const [configs, tasks, schedules, settings] = await Promise.all([
    ok('configs.list', {}),
    ok('tasks.list', {}),
    ok<Array<Record<string, unknown>>>('schedules.list', {}),
    ok('settings.get', {}),
  ]);
  for (const entry of schedules) expectIsoTimes(entry, SCHEDULE_TIMES);
  const entries = schedules
    .map(({ lastRunAt: _l, nextRunAt: _n, ...entry }) => entry)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return JSON.stringify({ configs, tasks, entries, settings });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-service-'));
  await writeFile(join(dir, 'in.txt'), 'hello');
  // An HTTP API answering JSON nested 200,000 levels deep.
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  deepServer = createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(deep),
  );
  await new Promise<void>((resolve) => deepServer.listen(0, '127.0.0.1', resolve));
  deepUrl = `http://127.0.0.1:${(deepServer.address() as { port: number }).port}/`;

  ({ proc, base } = await serveJson(join(dir, 'data'), TOKEN));

  const apiConfig = await ok('configs.save', {
    config: { name: 'Seed api', type: 'api', params: { url: 'http://127.0.0.1:1/' } },
  });
  const fileConfig = await ok('configs.save', {
    config: { name: 'Seed file', type: 'file', params: { location: join(dir, 'in.txt') } },
  });
  seed.apiConfig = String(apiConfig.id);
  seed.fileConfig = String(fileConfig.id);
  seed.apiTask = String(
    (
      await ok('tasks.save', {
        task: { name: 'Seed api task', type: 'api', operation: 'read', configId: seed.apiConfig },
      })
    ).id,
  );
  seed.fileTask = String(
    (
      await ok('tasks.save', {
        task: {
          name: 'Seed file task',
          type: 'file',
          operation: 'read',
          configId: seed.fileConfig,
        },
      })
    ).id,
  );
  seed.entry = String(
    (
      await ok('schedules.save', {
        entry: { taskId: seed.apiTask, kind: 'frequency', everySeconds: 86_400 },
      })
    ).id,
  );
  seed.run = String((await ok('tasks.run', { id: seed.fileTask })).id);
  await ok('system.export', { file: join(dir, 'export.json') });
});

afterAll(async () => {
  killStarted();
  await new Promise((resolve) => deepServer?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function expectServiceAlive(): Promise<void> {
  const health = await fetch(`${base}api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ ok: true });
  expect(proc.child.exitCode).toBeNull();
  expect(proc.err()).not.toMatch(/unexpected error|RangeError|Maximum call stack/);
}

const deepObject = (depth: number, leaf = '1'): string =>
  '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);

describe('the service under requests that used to break it', () => {
  it('refuses configs.test of a file write nested 2,000 deep with VALIDATION and keeps running', async () => {
    const body = `{"config":{"name":"Deep","type":"file","params":{"location":${JSON.stringify(join(dir, 'deep.json'))},"format":"json","content":${deepObject(2000)}}},"operation":"write"}`;
    const answer = await post('configs.test', body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      error: {
        code: 'VALIDATION',
        message: expect.stringMatching(
          /^config\.params\.content: is nested more than 64 levels deep/,
        ),
      },
    });
    await expectServiceAlive();
  });

  it('refuses configs.save of a body nested 2,000 (and 500,000) deep, and the reads still answer', async () => {
    // 500,000 levels of arrays still fit the 1 MiB body cap.
    for (const deep of [deepObject(2000), '['.repeat(500_000) + ']'.repeat(500_000)]) {
      const body = `{"config":{"name":"Deep","type":"api","params":{"url":"http://127.0.0.1:1/","body":${deep}}}}`;
      const answer = await post('configs.save', body);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        error: {
          code: 'VALIDATION',
          message: expect.stringMatching(/config\.params\.body: is nested more than 64/),
        },
      });
    }
    await ok('configs.list', {});
    await ok('configs.get', { id: seed.apiConfig });
    await ok('configs.deleteUnused', {});
    await ok('tasks.save', {
      task: { name: 'After deep', type: 'api', operation: 'read', configId: seed.apiConfig },
    });
    await expectServiceAlive();
  });

  it.each([
    ['everySeconds', 2 ** 53 - 1],
    ['everySeconds', 2 ** 53],
    ['everySeconds', 1e12],
    ['startAt', '9999-12-31T23:00:00-05:00'],
    ['endAt', '+033715-01-01T00:00:00.000Z'],
  ])(
    'refuses a schedule %s of %s with VALIDATION naming the field, in save and preview',
    async (field, value) => {
      const spec = { kind: 'frequency', everySeconds: 60, [field]: value };
      const saved = await post(
        'schedules.save',
        JSON.stringify({ entry: { taskId: seed.apiTask, ...spec } }),
      );
      expect(saved.status).toBe(400);
      expect(saved.json).toMatchObject({
        error: { code: 'VALIDATION', message: expect.stringContaining(`entry.${field}: must be`) },
      });
      const preview = await post('schedules.preview', JSON.stringify(spec));
      expect(preview.status).toBe(400);
      expect(preview.json).toMatchObject({
        error: { code: 'VALIDATION', message: expect.stringContaining(`${field}: must be`) },
      });
    },
  );

  it('records the answer of an API that replies JSON nested 200,000 deep as text, without crashing', async () => {
    const run = await ok<{ status: string; result: Record<string, unknown> }>('configs.test', {
      config: { name: 'Deep answer', type: 'api', params: { url: deepUrl } },
      operation: 'read',
    });
    expect(run.status).toBe('succeeded');
    expect(typeof run.result.body).toBe('string');
    expect(run.result).toMatchObject({
      truncated: true,
      bodyNote: expect.stringMatching(/nested more than 64 levels deep/),
    });
    await expectServiceAlive();
  });

  it('answers broken bodies, bad UTF-8 and unknown methods with well-formed 4xx errors', async () => {
    const cases: Array<[string, string | Buffer]> = [
      ['configs.save', '{"config":'],
      ['configs.save', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
      ['__proto__', '{}'],
      ['constructor', '{}'],
      ['hasOwnProperty', '{}'],
      ['tasks.list', '[]'],
      ['tasks.list', '"x"'],
      ['settings.save', '{"settings":{"concurrency":1e999}}'],
      ['settings.save', '{"__proto__":{"settings":{}}}'],
    ];
    for (const [method, body] of cases) {
      const answer = await post(method, body);
      expectWellFormed(method, String(body), answer);
      expect(answer.status, `${method} ${String(body)}`).toBeGreaterThanOrEqual(400);
    }
    await expectServiceAlive();
  });
});

describe('the service fuzzed through its HTTP API', () => {
  it(
    'never answers 5xx, answers errors as {error: {code, message}}, and a rejected mutation changes nothing',
    async () => {
      const all = fuzzTemplates(seed, dir);
      const method = (name: string): fc.Arbitrary<Sample> =>
        fc
          .oneof(
            {
              weight: 8,
              arbitrary: fc.oneof(
                ...(Object.hasOwn(all, name) ? all[name]! : [{}]).map(mutatedBody),
              ),
            },
            { weight: 1, arbitrary: rawAny },
          )
          .map((body) => new Sample(name, body));
      // Every contract method, and names that only exist on Object.prototype.
      const samples = fc.oneof(
        ...METHOD_NAMES.map(method),
        method('__proto__'),
        method('constructor'),
        method('toString'),
      );
      let before = await snapshot();
      const counts = { accepted: 0, rejected: 0 };
      await fc.assert(
        fc.asyncProperty(samples, async ({ method: name, body }) => {
          const answer = await post(name, body);
          expectWellFormed(name, body, answer);
          counts[answer.status === 200 ? 'accepted' : 'rejected']++;
          if (answer.status === 200 && name === 'schedules.preview') {
            for (const time of (answer.json as { result: { times: string[] } }).result.times)
              expect(time).toMatch(ISO);
          }
          if (READS.has(name)) return;
          const after = await snapshot();
          if (answer.status !== 200) {
            expect(
              after === before,
              `${name} was refused (${answer.status}) but changed data`,
            ).toBe(true);
          }
          before = after;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      // The fuzzer reached both sides of the validation.
      expect(counts.accepted).toBeGreaterThan(RUNS / 20);
      expect(counts.rejected).toBeGreaterThan(RUNS / 4);
      await expectServiceAlive();
    },
    Math.max(60_000, RUNS * 300),
  );
});
