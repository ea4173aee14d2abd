import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MinHeap, type HeapItem } from '../../../src/main/scheduler/min-heap';
import type { ScheduleEntryInput } from '../../../src/shared/domain';
import { startHarness, t, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

async function expectRejected(entry: Partial<ScheduleEntryInput>, message: RegExp): Promise<void> {
  await expect(h.save(entry)).rejects.toMatchObject({
    code: 'VALIDATION',
    message: expect.stringMatching(message),
  });
  expect(await h.call('schedules.list', {})).toEqual([]);
  expect(h.scheduler.status().entries).toBe(0);
}

const asCron = (cron: string, timezone = 'UTC'): Partial<ScheduleEntryInput> => ({
  kind: 'cron',
  everySeconds: undefined,
  cron,
  timezone,
});

describe('schedules.save rejects bad input and stores nothing', () => {
  it('a cron expression with the wrong field count', () =>
    expectRejected(asCron('* * *'), /has 3 fields/));
  it('an out-of-range cron value', () => expectRejected(asCron('0 24 * * *'), /is invalid/));
  it('garbage croner would read as a date', () =>
    expectRejected(asCron('2026-05-01 10:00'), /has 2 fields/));
  it('an expression with no future occurrence', () =>
    expectRejected(asCron('0 0 31 2 *'), /never fires/));
  it('an unknown time zone', () =>
    expectRejected(
      asCron('0 9 * * *', 'Europe/Atlantis'),
      /time zone "Europe\/Atlantis" is unknown/,
    ));
  it('everySeconds below 1', () => expectRejected({ everySeconds: 0 }, /at least 1/));
  it('everySeconds not whole', () => expectRejected({ everySeconds: 2.5 }, /whole number/));
  it('endAt before startAt', () =>
    expectRejected({ startAt: t(100), endAt: t(50) }, /endAt .* must be after startAt/));
  it('a task that does not exist', () =>
    expectRejected({ taskId: 'nope' }, /no task with id "nope"/));
  it('a configuration override of another type', async () => {
    const file = await h.call('configs.save', {
      config: { name: 'Disk', type: 'file', params: { location: '/tmp/x.txt' } },
    });
    await expectRejected(
      { configId: file.id },
      /is for file tasks, but task "Fetch" is a api task/,
    );
  });
  it('an unknown field', () => expectRejected({ every: 5 } as never, /unknown field "every"/));
});

describe('schedules.preview', () => {
  it('returns the next fire times before the entry is saved', async () => {
    const { times } = await h.call('schedules.preview', {
      kind: 'frequency',
      everySeconds: 90,
      count: 3,
    });
    expect(times).toEqual([t(90), t(180), t(270)]);
    const cron = await h.call('schedules.preview', {
      kind: 'cron',
      cron: '0 9 * * *',
      timezone: 'Europe/Berlin',
      count: 2,
    });
    expect(cron.times).toEqual(['2026-01-01T08:00:00.000Z', '2026-01-02T08:00:00.000Z']);
    expect(await h.call('schedules.list', {})).toEqual([]);
  });

  it('rejects the same bad input as save', async () => {
    await expect(
      h.call('schedules.preview', { kind: 'cron', cron: '0 0 30 2 *', timezone: 'UTC' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/never fires/),
    });
  });
});

describe('MinHeap', () => {
  it('pops in key order through pushes, removals and re-keys', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('push', 'remove', 'update', 'pop'),
            fc.integer({ min: 0, max: 50 }),
          ),
          {
            maxLength: 200,
          },
        ),
        (ops) => {
          const heap = new MinHeap<HeapItem>();
          const inside = new Set<HeapItem>();
          let seq = 0;
          for (const [op, n] of ops) {
            const some = [...inside][n % Math.max(1, inside.size)];
            if (op === 'push') {
              const item = { key: n, seq: seq++, heapIndex: -1 };
              heap.push(item);
              inside.add(item);
            } else if (op === 'remove' && some) {
              expect(heap.remove(some)).toBe(true);
              inside.delete(some);
            } else if (op === 'update' && some) {
              some.key = n;
              heap.update(some);
            } else if (op === 'pop') {
              const top = heap.pop();
              const min = [...inside].sort((a, b) => a.key - b.key || a.seq - b.seq)[0];
              expect(top).toBe(min);
              if (top) inside.delete(top);
            }
            expect(heap.size).toBe(inside.size);
          }
          const drained: number[] = [];
          for (let item = heap.pop(); item; item = heap.pop()) drained.push(item.key);
          expect(drained).toEqual([...inside].map((i) => i.key).sort((a, b) => a - b));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});
