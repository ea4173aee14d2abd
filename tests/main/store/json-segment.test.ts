/** The run log's line format: serializeRun writes the run as JSON with the filter fields first. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../src/main/core/frozen';
import { readEntry, serializeRun } from '../../../src/main/store/json/segment';
import type { Run } from '../../../src/shared/domain';
import { run } from '../../support/fixtures';

const reference = (value: Run): string =>
  JSON.stringify(
    Object.assign(
      {
        id: value.id,
        startedAt: value.startedAt,
        taskId: value.taskId,
        type: value.type,
        status: value.status,
      },
      value,
    ),
  );

describe('serializeRun', () => {
  it('writes the filter fields first and the same value as JSON.stringify for any record', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('"quoted"', 'back\\slash', 'line\nbreak', '\u0000', '\ud800', '😀', 'é'),
    );
    const json = fc.jsonValue();
    fc.assert(
      fc.property(
        text,
        text,
        fc.record(
          {
            result: fc.dictionary(fc.string(), json),
            error: fc.record({ code: text, message: text }),
            durationMs: fc.oneof(fc.integer(), fc.double()),
            note: fc.oneof(fc.constant(undefined), text, fc.boolean(), fc.constant(null)),
          },
          { requiredKeys: [] },
        ),
        fc.boolean(),
        (id, taskName, extra, freeze) => {
          const base = run(id || 'r1', '2026-01-01T00:00:00.000Z', { taskName, ...extra } as never);
          if (freeze)
            base.config = deepFreeze({ ...(base.config ?? {}), params: { url: taskName } });
          const line = serializeRun(base);
          expect(line).toBe(reference(base));
          expect(readEntry(line)).toMatchObject({ id: base.id, startedAt: base.startedAt });
        },
      ),
      { seed: 20261127, numRuns: 300 },
    );
  });

  it('writes a large deep-frozen configuration snapshot in its place, as any other value', () => {
    const config = deepFreeze({
      id: 'c1',
      params: { url: 'https://example.test/', headers: {}, body: 'x'.repeat(300) },
    });
    const a = run('r1', '2026-01-01T00:00:00.000Z', { config } as never);
    const b = run('r2', '2026-01-01T00:00:01.000Z', { config, status: 'running' } as never);
    for (const record of [a, b]) {
      const line = serializeRun(record);
      expect(line).toBe(reference(record));
      expect(readEntry(line)).toMatchObject({ id: record.id, status: record.status });
    }
    expect(Object.isFrozen(config.params)).toBe(true);
    expect(() => {
      (config.params as { url: string }).url = 'changed';
    }).toThrow(TypeError);
  });
});

describe('serializeRun with a record already in head order', () => {
  it('writes the same text as for the same record in another key order', () => {
    const base = run('r1', '2026-01-01T00:00:00.000Z', {
      scheduledFor: '2026-01-01T00:00:00.000Z',
    });
    const { id, startedAt, taskId, type, status, ...rest } = base;
    const headFirst = { id, startedAt, taskId, type, status, ...rest } as Run;
    expect(serializeRun(headFirst)).toBe(serializeRun(base));
    expect(serializeRun(headFirst)).toBe(reference(base));
  });
});
