import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataProblem } from '../../../src/shared/contract';
import { DEFAULT_CONCURRENCY } from '../../../src/shared/domain';
import { apiConfig, entry, task } from '../../support/fixtures';
import { killStarted, serveCli } from '../../support/serve-process';

afterEach(killStarted);

async function call<T>(
  url: string,
  method: string,
  params: unknown,
): Promise<{ status: number; body: { result?: T; error?: { code: string; message: string } } }> {
  const res = await fetch(`${url}api/${method}`, {
    method: 'POST',
    headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as never };
}

describe('the built service with a damaged catalog', () => {
  it('starts, answers, lists the problems in system.info and the log, and serves none of the bad records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serve-problems-'));
    try {
      await fs.writeFile(
        join(dir, 'catalog.json'),
        JSON.stringify({
          version: 1,
          configs: [apiConfig('good'), { ...apiConfig('ftp'), type: 'ftp' }],
          tasks: [task('t1', 'good')],
          schedules: [
            {
              ...entry('mars', 't1'),
              kind: 'cron',
              everySeconds: undefined,
              cron: '* * * * * *',
              timezone: 'Mars/Phobos',
            },
          ],
          settings: { concurrency: 'abc' },
        }),
      );
      const proc = serveCli('--port', '0', '--data-dir', dir, '--token', 't');
      const [, url] = await proc.line(/listening on (http:\/\/\S+)\n/);
      // The service's log (stderr, one JSON line each off a terminal): warnings naming the problems.
      const warnings = proc
        .err()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((line) => line.level === 40)
        .map((line) => line.msg)
        .join('\n');
      expect(warnings).toMatch(/JsonStore: 3 problems with the data in /);
      expect(warnings).toMatch(
        /Configuration "ftp" in catalog\.json is not valid and is set aside/,
      );

      const info = await call<{ problems: DataProblem[] }>(url!, 'system.info', {});
      expect(info.status).toBe(200);
      expect(info.body.result!.problems.map((p) => [p.kind, p.recordId])).toEqual([
        ['settings', undefined],
        ['config', 'ftp'],
        ['schedule', 'mars'],
      ]);
      const configs = await call<Array<{ id: string }>>(url!, 'configs.list', {});
      expect(configs.status).toBe(200);
      expect(configs.body.result!.map((c) => c.id)).toEqual(['good']);
      const schedules = await call<unknown[]>(url!, 'schedules.list', {});
      expect(schedules.body.result).toEqual([]);
      expect(
        (await call<{ concurrency: number }>(url!, 'settings.get', {})).body.result!.concurrency,
      ).toBe(DEFAULT_CONCURRENCY);

      const [first] = info.body.result!.problems;
      const acknowledged = await call<{ problems: DataProblem[] }>(url!, 'system.acknowledge', {
        id: first!.id,
      });
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body.result!.problems).toHaveLength(2);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
