/**
 * Cron expressions through the built service's HTTP API (issue #13): every malformed expression
 * is a 400 naming the field, with the value as typed, in under 500 characters, its path in
 * `details`; and the service agrees with the schedule form's helper (`checkCron`, the function
 * the form runs as you type) on every expression of a corpus and on random ones.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCron } from '../../../src/shared/cron-syntax';
import {
  MALFORMED_CRON,
  NEVER_FIRES_CRON,
  oneRandomField,
  VALID_CRON,
} from '../../support/cron-corpus';
import { killStarted, postJson, serveJson, type ServiceAnswer } from '../../support/serve-process';

const TOKEN = 'cron-token-0123456789';
let base: string;
let dir: string;
let taskId: string;

const post = (method: string, params: unknown): Promise<ServiceAnswer> =>
  postJson(base, TOKEN, method, params);

const preview = (cron: string): ReturnType<typeof post> =>
  post('schedules.preview', { kind: 'cron', cron, timezone: 'UTC', count: 3 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cron-http-'));
  ({ base } = await serveJson(join(dir, 'data'), TOKEN));
  const config = await post('configs.save', {
    config: { name: 'c', type: 'api', params: { url: 'http://127.0.0.1:1/' } },
  });
  const task = await post('tasks.save', {
    task: {
      name: 't',
      type: 'api',
      operation: 'read',
      configId: (config.result as { id: string }).id,
    },
  });
  taskId = (task.result as { id: string }).id;
});

afterAll(async () => {
  killStarted();
  await rm(dir, { recursive: true, force: true });
});

describe('cron expressions over HTTP', () => {
  it('accepts every valid expression of the corpus, as the helper does', async () => {
    for (const cron of VALID_CRON) {
      expect(checkCron(cron).ok, cron).toBe(true);
      const answer = await preview(cron);
      expect(answer.status, `${cron}: ${answer.error?.message}`).toBe(200);
      expect((answer.result as { times: string[] }).times, cron).toHaveLength(3);
    }
  });

  it('refuses every malformed expression with a 400 naming the field, in the words of the helper', async () => {
    for (const [cron, field] of MALFORMED_CRON) {
      const helper = checkCron(cron);
      const label = cron.slice(0, 60);
      expect(helper.ok, label).toBe(false);
      if (helper.ok) continue;
      expect(helper.field, label).toBe(field);
      const answer = await preview(cron);
      expect(answer.status, label).toBe(400);
      const error = answer.error!;
      expect(error.code).toBe('VALIDATION');
      expect(error.message.length, `${label}: ${error.message}`).toBeLessThan(500);
      expect(error.message, label).toContain(helper.message);
      expect(error.message, label).toMatch(/^cron ".*" is invalid: /);
      if (field)
        expect(error.message, label).toMatch(new RegExp(`invalid: ${field} \\(field \\d\\)`));
      if (!/ fields?;/.test(helper.message))
        expect(error.message, label).not.toMatch(/use 5 fields/);
      expect(error.details?.issues?.[0]?.path, label).toEqual(['cron']);
    }
  });

  it('reports the value as typed, not off by one', async () => {
    const cases: Array<[string, string]> = [
      ['0 0 * 13 *', 'month (field 4) must be 1-12 or JAN-DEC; got "13"'],
      ['0 0 0 * *', 'day-of-month (field 3) must be 1-31, L, LW or a day with W (15W); got "0"'],
      ['0 0 32 * *', 'got "32"'],
      ['5-1 * * * *', 'minute (field 1) range "5-1" runs backwards'],
    ];
    for (const [cron, text] of cases) {
      expect((await preview(cron)).error?.message, cron).toContain(text);
    }
  });

  it('says an expression that never fires never fires, at the cron field', async () => {
    for (const cron of NEVER_FIRES_CRON) {
      expect(checkCron(cron).ok, cron).toBe(true);
      const answer = await preview(cron);
      expect(answer.status, cron).toBe(400);
      expect(answer.error?.message, cron).toMatch(/never fires; check the day and month fields/);
      expect(answer.error?.details?.issues?.[0]?.path, cron).toEqual(['cron']);
    }
  });

  it('saves nothing for a malformed expression, naming entry.cron in details', async () => {
    for (const cron of ['61 * * * *', '0 0 31 2 *', '0\u00a09 * * *']) {
      const answer = await post('schedules.save', { entry: { taskId, kind: 'cron', cron } });
      expect(answer.status, cron).toBe(400);
      expect(answer.error?.details?.issues?.[0]?.path, cron).toEqual(['entry', 'cron']);
    }
    const list = await post('schedules.list', {});
    expect(list.result).toEqual([]);
  });

  it('agrees with the helper on random expressions', async () => {
    const samples = fc.sample(oneRandomField(3), { seed: 20_261_201, numRuns: 400 });
    let accepted = 0;
    for (const cron of samples) {
      const helper = checkCron(cron);
      const answer = await preview(cron);
      const neverFires = /never fires/.test(answer.error?.message ?? '');
      expect(answer.status === 200 || neverFires, `${cron}: ${answer.error?.message}`).toBe(
        helper.ok,
      );
      if (!helper.ok) expect(answer.error?.message, cron).toContain(helper.message);
      if (answer.status === 200) accepted++;
    }
    expect(accepted).toBeGreaterThan(25);
  });
});
