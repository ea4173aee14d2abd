/**
 * The json store's run log: records it appended are kept in memory as their place in the file
 * only, and read back exactly.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunLog } from '../../../src/main/store/json/run-log';
import type { Run } from '../../../src/shared/domain';
import { at, run } from '../../support/fixtures';

let dir: string;
let log: RunLog;

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'json-run-log-'));
  log = new RunLog(dir);
  await log.open();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await log.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs with ids in the core format (time prefix) and multi-byte text in some records. */
function makeRuns(count: number): Run[] {
  return Array.from({ length: count }, (_, i) => {
    const startedAt = at(i % 50);
    const id = `${Date.parse(startedAt).toString(16).padStart(12, '0')}${i.toString(16).padStart(3, '0')}abcdef01`;
    return run(id, startedAt, {
      taskId: `task-${i % 3}`,
      status: 'running',
      taskName: i % 4 === 0 ? `Exportación ✓ ${i} 日本` : `task ${i}`,
    });
  });
}

describe('json run log memory', () => {
  it('keeps no record text in memory once appended, and reads every record back exactly', async () => {
    const runs = makeRuns(300);
    await Promise.all(runs.map((r) => log.insert(r)));
    const finals = runs.map((r, i) => ({
      ...r,
      status: i % 5 === 0 ? ('failed' as const) : ('succeeded' as const),
      result: { note: `résultat ${i}`, n: i },
    }));
    await Promise.all(finals.map((r) => log.update(r)));

    expect(log.stats()).toMatchObject({ cachedRuns: 300, cachedLines: 0 });
    for (const r of finals) expect(await log.get(r.id)).toStrictEqual(r);
    const page = await log.list({ limit: 500 });
    expect(page.items).toHaveLength(300);
    expect(new Map(page.items.map((r) => [r.id, r]))).toStrictEqual(
      new Map(finals.map((r) => [r.id, r])),
    );
  });

  it('still reads records exactly after deleting some rewrites the file', async () => {
    const runs = makeRuns(120);
    await Promise.all(runs.map((r) => log.insert(r)));
    const doomed = runs.filter((_, i) => i % 3 === 0).map((r) => r.id);

    expect(await log.delete({ ids: doomed })).toBe(doomed.length);

    for (const r of runs) {
      expect(await log.get(r.id)).toStrictEqual(doomed.includes(r.id) ? undefined : r);
    }
    // Appends after the rewrite land after it, at the right places too.
    const extra = run(`${Date.parse(at(10)).toString(16).padStart(12, '0')}fffabcdef02`, at(10), {
      taskName: 'après ✓',
    });
    await log.insert(extra);
    expect(await log.get(extra.id)).toStrictEqual(extra);
    expect(await log.get(runs[1]!.id)).toStrictEqual(runs[1]);
  });

  it('reads the same records after a reopen', async () => {
    const runs = makeRuns(60);
    await Promise.all(runs.map((r) => log.insert(r)));
    await log.close();
    log = new RunLog(dir);
    await log.open();

    for (const r of runs) expect(await log.get(r.id)).toStrictEqual(r);
  });

  it('reports and skips a record whose bytes were cut from the file, instead of failing', async () => {
    const runs = makeRuns(10);
    await Promise.all(runs.map((r) => log.insert(r)));
    await log.flush();
    const [file] = (await fs.readdir(join(dir, 'runs'))).filter((n) => n.endsWith('.jsonl'));
    await fs.truncate(join(dir, 'runs', file!), 10);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    expect(await log.get(runs[5]!.id)).toBeUndefined();
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/cannot be read back/);
  });
});
