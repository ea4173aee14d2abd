import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectTemplateStrings, renderDeep } from '../../src/shared/template-values';
import { renderTemplate, type TemplateMode } from '../../src/shared/templates';
import { context } from './support/templates';

describe('JSON-valued fields', () => {
  it('fills every string of a value, keeping keys and the types of whole-placeholder values', () => {
    const value: unknown = JSON.parse(
      '{"items":"{{input.body.items}}","meta":{"n":"{{input.body.total}}","label":"run {{run.id}}"},"list":["{{task.id}}",1,null],"__proto__":"{{now}}"}',
    );
    const before = JSON.stringify(value);
    const filled = renderDeep(value, context);
    expect(filled.ok).toBe(true);
    if (!filled.ok) return;
    expect(JSON.stringify(filled.value)).toBe(
      '{"items":[1,2,3],"meta":{"n":3,"label":"run run-1"},"list":["task-1",1,null],"__proto__":"2026-12-01T10:30:00.000Z"}',
    );
    expect(Object.getPrototypeOf(filled.value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe(before);
  });

  it('names the place of a string that cannot be filled', () => {
    expect(renderDeep({ a: [{ b: '{{input.nope}}' }] }, context)).toEqual({
      ok: false,
      message: 'a[0].b: input.nope: no key "nope" in input; it has statusCode, body',
      at: 0,
    });
  });

  it('returns a value without placeholders unchanged', () => {
    const value = { a: ['x', { b: 1 }] };
    expect(renderDeep(value, context)).toEqual({ ok: true, value });
  });

  it('lists the strings with placeholders by their path, for validation', () => {
    expect(
      collectTemplateStrings({ a: ['x', '{{now}}'], b: { c: '{{run.id}}' }, d: 1 }, 'params.body'),
    ).toEqual({
      'params.body.a[1]': '{{now}}',
      'params.body.b.c': '{{run.id}}',
    });
    expect(collectTemplateStrings('{{now}}', 'params.content')).toEqual({
      'params.content': '{{now}}',
    });
  });
});

describe('properties (seeded)', () => {
  const pieces = fc.constantFrom(
    '{{',
    '}}',
    '{',
    '}',
    '|',
    ':',
    '"',
    '\\',
    '.',
    '[',
    ']',
    '0',
    ' ',
    'a',
    'input',
    'now',
    'run.id',
    'date',
    'json',
    'urlencode',
    '"yyyy"',
    "'",
    'env.',
    'body',
    'items',
    '\uD800',
  );
  const template = fc.array(pieces, { maxLength: 14 }).map((p) => p.join(''));

  it('renderTemplate never throws and every problem has a sentence and a position', () => {
    fc.assert(
      fc.property(template, fc.constantFrom<TemplateMode>('text', 'url', 'json'), (t, mode) => {
        const rendered = renderTemplate(t, context, mode);
        if (!rendered.ok) {
          expect(rendered.message.length).toBeGreaterThan(10);
          expect(rendered.at).toBeGreaterThanOrEqual(0);
          expect(rendered.at).toBeLessThan(Math.max(1, t.length));
        }
      }),
      { seed: 20_261_215, numRuns: 5000 },
    );
  });

  it('a text without {{ renders unchanged in every mode', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.constantFrom<TemplateMode>('text', 'url', 'json'),
        (t, mode) => {
          fc.pre(!t.includes('{{'));
          expect(renderTemplate(t, context, mode)).toEqual({ ok: true, value: t });
        },
      ),
      { seed: 15, numRuns: 2000 },
    );
  });

  it('in url mode, a value in the path or query adds only unreserved characters and %XX', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const rendered = renderTemplate(
          'https://h/p/{{input.v}}?q={{input.v}}',
          { ...context, input: { result: { v: value } } },
          'url',
        );
        expect(rendered.ok).toBe(true);
        if (!rendered.ok) return;
        const url = rendered.value as string;
        const [path, query] = url.slice('https://h/p/'.length).split('?q=');
        for (const part of [path!, query!])
          expect(part).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(query!)).toBe(value);
      }),
      { seed: 1215, numRuns: 2000 },
    );
  });
});
