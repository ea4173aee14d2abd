/**
 * What the placeholder picker offers (issue #15): built-ins the core accepts, and the paths of a
 * result, in the order and with the bounds the picker relies on.
 */
import { describe, expect, it } from 'vitest';
import {
  builtInPlaceholders,
  inputPlaceholders,
  RESULT_PATHS_MAX,
  resultPaths,
} from '../../src/renderer/src/components/PlaceholderPaths';
import { renderTemplate, validateTemplates } from '../../src/shared/templates';
import { parsePath, resolvePath } from '../../src/shared/value-path';

describe('the built-in placeholders offered', () => {
  it('are all accepted by the core in a chained task, and only the unchained ones elsewhere', () => {
    const chained = Object.fromEntries(builtInPlaceholders(true).map((o, i) => [`f${i}`, o.text]));
    expect(validateTemplates(chained, { chained: true })).toEqual([]);
    const plain = Object.fromEntries(builtInPlaceholders(false).map((o, i) => [`f${i}`, o.text]));
    expect(validateTemplates(plain, { chained: false })).toEqual([]);
    expect(Object.values(chained)).toEqual(
      expect.arrayContaining(['{{input}}', '{{parent.id}}', '{{parent.scheduledFor}}']),
    );
    expect(Object.values(plain)).not.toContain('{{parent.id}}');
  });
});

describe('the paths of a result', () => {
  const result = {
    statusCode: 200,
    body: { items: [{ id: 1, 'total.eur': 3 }], next: null },
  };

  it('lists the top-level keys first, then deeper ones, with array lengths and first elements', () => {
    expect(resultPaths(result, 'input').map((p) => p.path)).toEqual([
      'input.statusCode',
      'input.body',
      'input.body.items',
      'input.body.next',
      'input.body.items.length',
      'input.body.items[0]',
      'input.body.items[0].id',
      'input.body.items[0]["total.eur"]',
    ]);
  });

  it('gives paths the core resolves to the values previewed', () => {
    for (const { path, preview } of resultPaths(result)) {
      const parsed = parsePath(path);
      if (!parsed.ok) throw new Error(parsed.message);
      const resolved = resolvePath(result, parsed.steps);
      expect(resolved).toMatchObject({ found: true });
      if (resolved.found) expect(preview).toBe(JSON.stringify(resolved.value));
    }
  });

  it('fills a picked input path with the value it names', () => {
    const picked = inputPlaceholders(result).find((o) => o.text.includes('total.eur'))!;
    const filled = renderTemplate(
      picked.text,
      {
        now: '2026-12-01T00:00:00.000Z',
        run: { id: 'r', scheduledFor: '2026-12-01T00:00:00.000Z' },
        task: { id: 't', name: 'T' },
        input: { result },
      },
      'text',
    );
    expect(filled).toEqual({ ok: true, value: '3' });
  });

  it(`stops at ${RESULT_PATHS_MAX} paths however large the result`, () => {
    const wide = { rows: Array.from({ length: 10 }, () => ({})), ...bigObject(2000) };
    const paths = resultPaths(wide);
    expect(paths).toHaveLength(RESULT_PATHS_MAX);
    expect(paths[0]!.path).toBe('rows');
  });
});

function bigObject(keys: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let level = out;
  for (let i = 0; i < keys; i++) {
    const next: Record<string, unknown> = { [`k${i}`]: i };
    level[`n${i}`] = next;
    if (i % 40 === 0) level = next;
  }
  return out;
}
