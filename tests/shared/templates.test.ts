import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectTemplateStrings, renderDeep } from '../../src/shared/template-values';
import {
  TEMPLATE_MAX_FILTERS,
  TEMPLATE_MAX_OUTPUT_CHARS,
  TEMPLATE_MAX_PLACEHOLDERS,
  isReservedVariableName,
  listPlaceholders,
  parseTemplate,
  renderTemplate,
  validateTemplates,
  type TemplateContext,
  type TemplateMode,
} from '../../src/shared/templates';

const context: TemplateContext = {
  now: '2026-12-01T10:30:00.000Z',
  run: { id: 'run-1', scheduledFor: '2026-12-01T00:00:00.000Z' },
  task: { id: 'task-1', name: 'Save items' },
  parent: { id: 'run-0', scheduledFor: '2026-11-30T23:00:00.000Z' },
  input: { result: { statusCode: 200, body: { items: [1, 2, 3], total: 3, name: 'a b&c' } } },
};

function text(
  template: string,
  ctx: TemplateContext = context,
  mode: TemplateMode = 'text',
): unknown {
  const rendered = renderTemplate(template, ctx, mode);
  if (!rendered.ok) throw new Error(rendered.message);
  return rendered.value;
}

function failure(
  template: string,
  ctx: TemplateContext = context,
  mode: TemplateMode = 'text',
): { message: string; at: number } {
  const rendered = renderTemplate(template, ctx, mode);
  if (rendered.ok) throw new Error(`rendered ${JSON.stringify(rendered.value)}`);
  return { message: rendered.message, at: rendered.at };
}

describe('the worked examples of issue #15', () => {
  it('names a file after the run slot: items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json', () => {
    expect(text('items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json')).toBe(
      'items-2026-12-01.json',
    );
  });

  it('formats now in a zone: {{now | date: "yyyy-MM-dd\'T\'HH-mm" : "Europe/Berlin"}}', () => {
    expect(text(`{{now | date: "yyyy-MM-dd'T'HH-mm" : "Europe/Berlin"}}`)).toBe('2026-12-01T11-30');
  });

  it('inserts {{input.body.items}} into a JSON field as the array itself', () => {
    expect(text('{{input.body.items}}', context, 'json')).toEqual([1, 2, 3]);
  });
});

describe('built-in values', () => {
  it('fills the run, the task, the parent and now', () => {
    expect(
      text('{{run.id}} {{task.id}} {{task.name}} {{parent.id}} {{parent.scheduledFor}} {{now}}'),
    ).toBe('run-1 task-1 Save items run-0 2026-11-30T23:00:00.000Z 2026-12-01T10:30:00.000Z');
  });

  it('allows spaces inside the braces and around the filters', () => {
    expect(text('{{  run.scheduledFor|date:"yyyy"  }}')).toBe('2026');
    expect(text('{{ task.name | urlencode }}')).toBe('Save%20items');
  });

  it('inserts strings as they are and other values as JSON text', () => {
    const input = { result: { n: 1.5, t: true, z: null, o: { a: [1] }, s: 'x"y' } };
    expect(
      text('{{input.n}} {{input.t}} {{input.z}} {{input.o}} {{input.s}}', { ...context, input }),
    ).toBe('1.5 true null {"a":[1]} x"y');
  });

  it('inserts a value once: a value holding a placeholder is not filled again', () => {
    const input = { result: { s: '{{now}}' } };
    expect(text('{{input.s}}', { ...context, input })).toBe('{{now}}');
  });

  it('reads {{input}} as the whole parent result and lengths as path steps', () => {
    expect(text('{{input.body.items.length}}/{{input.body.items[2]}}')).toBe('3/3');
    expect(text('{{input}}', context, 'json')).toEqual(context.input!.result);
  });
});

describe('filters', () => {
  it('formats times in the default zone of the context, else UTC', () => {
    expect(text('{{now | date: "HH:mm"}}')).toBe('10:30');
    expect(text('{{now | date: "HH:mm"}}', { ...context, timeZone: 'America/New_York' })).toBe(
      '05:30',
    );
    expect(text('{{now | date: "HH:mm" : "UTC"}}', { ...context, timeZone: 'Asia/Tokyo' })).toBe(
      '10:30',
    );
  });

  it('reads an input time without an offset in the zone it is shown in, and epoch milliseconds', () => {
    const input = { result: { day: '2026-12-01', ms: Date.UTC(2027, 0, 2, 3, 4) } };
    const ctx = { ...context, input };
    expect(text('{{input.day | date: "dd.MM.yyyy" : "Pacific/Auckland"}}', ctx)).toBe('01.12.2026');
    expect(text('{{input.ms | date: "yyyy-MM-dd HH:mm"}}', ctx)).toBe('2027-01-02 03:04');
  });

  it('refuses to format what is not a time, naming the placeholder', () => {
    const ctx = { ...context, input: { result: { s: 'soon', o: {} } } };
    expect(failure('{{input.s | date: "yyyy"}}', ctx).message).toBe(
      '{{input.s | date: "yyyy"}}: "soon" is not a time; the date filter takes an ISO 8601 time ("2026-12-01T08:00:00Z") or milliseconds since 1970',
    );
    expect(failure('{{input.o | date: "yyyy"}}', ctx).message).toContain('an object is not a time');
  });

  it('writes JSON text with json, and percent-encodes with urlencode', () => {
    expect(text('{{task.name | json}}')).toBe('"Save items"');
    expect(text('{{input.body.items | json}}', context, 'json')).toBe('[1,2,3]');
    expect(text('{{input.body.name | urlencode}}')).toBe('a%20b%26c');
    expect(text('{{input.body.items | json | urlencode}}')).toBe('%5B1%2C2%2C3%5D');
  });

  it('rejects an unknown default zone in the context at render time', () => {
    expect(
      failure('{{now | date: "yyyy"}}', { ...context, timeZone: 'Mars/Olympus' }).message,
    ).toBe(
      '{{now | date: "yyyy"}}: the default zone: unknown time zone "Mars/Olympus"; use an IANA zone name such as "UTC" or "Europe/Berlin"',
    );
  });
});

describe('modes', () => {
  it('url: encodes values in the path and query, not the scheme and host before them', () => {
    const ctx: TemplateContext = {
      ...context,
      variables: { base: 'https://api.example.com', host: 'files.example.com' },
    };
    expect(text('{{base}}/items/{{input.body.name}}?q={{input.body.name}}', ctx, 'url')).toBe(
      'https://api.example.com/items/a%20b%26c?q=a%20b%26c',
    );
    expect(text('https://{{host}}/x#{{task.name}}', ctx, 'url')).toBe(
      'https://files.example.com/x#Save%20items',
    );
    expect(text('https://h/?list={{input.body.items}}', ctx, 'url')).toBe(
      'https://h/?list=%5B1%2C2%2C3%5D',
    );
  });

  it('url: encodes a lone surrogate as the replacement character instead of failing', () => {
    const ctx = { ...context, input: { result: { v: 'a\uD800b' } } };
    expect(text('https://h/{{input.v}}', ctx, 'url')).toBe('https://h/a%EF%BF%BDb');
  });

  it('url: does not encode twice a value whose last filter is urlencode', () => {
    expect(text('https://h/{{task.name | urlencode}}', context, 'url')).toBe(
      'https://h/Save%20items',
    );
  });

  it('json: only a field that is exactly one placeholder becomes a JSON value', () => {
    expect(text('  {{ input.body.total }}  ', context, 'json')).toBe(3);
    expect(text('{{input.body.items[0]}}', context, 'json')).toBe(1);
    expect(text('total: {{input.body.total}}', context, 'json')).toBe('total: 3');
    expect(text('{{input.body.total}}{{input.body.total}}', context, 'json')).toBe('33');
    expect(text('no placeholders', context, 'json')).toBe('no placeholders');
  });

  it('text: leaves a text without {{ exactly as it is', () => {
    expect(text('plain } text }}')).toBe('plain } text }}');
  });

  it('writes \\{{ as a literal {{', () => {
    expect(text('\\{{run.id}} is {{run.id}}')).toBe('{{run.id}} is run-1');
  });
});

describe('missing values are problems, never empty strings', () => {
  it('names a missing path and the keys that exist', () => {
    expect(failure('file-{{input.body.itmes}}.json')).toEqual({
      message: 'input.body.itmes: no key "itmes" in input.body; it has items, total, name',
      at: 5,
    });
  });

  it('says that a run without a parent has no input or parent values', () => {
    const alone: TemplateContext = { ...context, input: undefined, parent: undefined };
    for (const placeholder of [
      '{{input.body}}',
      '{{input}}',
      '{{parent.id}}',
      '{{parent.scheduledFor}}',
    ]) {
      expect(failure(placeholder, alone).message).toBe(
        `${placeholder} reads the parent run, but this run has none: the task did not run after another task`,
      );
    }
  });

  it('refuses a truncated parent result unless the task allows it', () => {
    const truncated = { ...context, input: { result: { body: 'half' }, truncated: true } };
    expect(failure('{{input.body}}', truncated).message).toBe(
      "{{input.body}}: the parent run's result was truncated by the result size cap, so this would use part of the data; raise the result size cap (setting resultMaxBytes), or let the task accept a truncated input",
    );
    expect(
      renderTemplate('{{input.body}}', truncated, 'text', { allowTruncatedInput: true }),
    ).toEqual({
      ok: true,
      value: 'half',
    });
    expect(text('{{task.id}}', truncated)).toBe('task-1');
  });
});

describe('variables and the environment', () => {
  const ctx: TemplateContext = {
    ...context,
    variables: { customer: 'acme', 'api.v': '2' },
    allowEnv: ['HOME_DIR', 'UNSET'],
    env: { HOME_DIR: '/home/u', OTHER: 'x' },
  };

  it('fills variables and allowed environment variables', () => {
    expect(text('{{customer}}-{{api.v}}-{{env.HOME_DIR}}', ctx)).toBe('acme-2-/home/u');
  });

  it('explains an unknown variable, a forbidden and an unset environment variable', () => {
    expect(failure('{{nobody}}', ctx).message).toBe(
      'unknown placeholder {{nobody}}; the built-in values are now, run.id, run.scheduledFor, task.id, task.name, and in a chained task input, input.<path>, parent.id, parent.scheduledFor, or add "nobody" to params.variables',
    );
    expect(failure('{{env.OTHER}}', ctx).message).toBe(
      'placeholder {{env.OTHER}} has no value: environment variable OTHER is not allowed; add "OTHER" to params.allowEnv',
    );
    expect(failure('{{env.UNSET}}', ctx).message).toBe(
      'placeholder {{env.UNSET}} has no value: environment variable UNSET is not set; set it before starting the app or use params.variables',
    );
  });

  it('never reads members of Object.prototype as variables', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(failure(`{{${name}}}`, ctx).message).toContain(`unknown placeholder {{${name}}}`);
    }
  });

  it('keeps built-in names for built-ins: such variables can never be read', () => {
    expect(text('{{now}}', { ...ctx, variables: { now: 'mine' } })).toBe(context.now);
    for (const name of [
      'now',
      'run.id',
      'run.x',
      'input',
      'input.a',
      'parent.x',
      'task',
      'env.X',
    ]) {
      expect(isReservedVariableName(name)).toBe(true);
    }
    for (const name of ['runner', 'run-x', 'customer', 'inputs', 'nowadays', 'api.v']) {
      expect(isReservedVariableName(name)).toBe(false);
    }
  });
});

describe('parseTemplate', () => {
  it.each<[string, string, number]>([
    [
      '{{nw}}',
      'unknown placeholder {{nw}}; the built-in values are now, run.id, run.scheduledFor, task.id, task.name, and in a chained task input, input.<path>, parent.id, parent.scheduledFor',
      0,
    ],
    ['a {{run.slot}}', 'unknown placeholder {{run.slot}}: run has id and scheduledFor', 2],
    ['{{task.owner}}', 'unknown placeholder {{task.owner}}: task has id and name', 0],
    [
      '{{now.year}}',
      'unknown placeholder {{now.year}}: now has no parts; format it with | date: "…"',
      0,
    ],
    ['{{}}', 'the placeholder {{}} is empty; write a name such as {{now}}', 0],
    ['{{run id}}', '{{run id}} is not a placeholder: a name has no spaces in it', 0],
    [
      '{{a+b}}',
      '{{a+b}} is not a placeholder: a name is letters, digits, _ - and . (input.<path> takes [n] and ["key"]); write \\{{ for literal braces',
      0,
    ],
    [
      '{{input.body..x}}',
      '{{input.body..x}}: path "input.body..x": has an empty key at position 11',
      0,
    ],
    [
      '{{env.A-B}}',
      '{{env.A-B}}: write {{env.NAME}} to read an environment variable (a name is letters, digits and _)',
      0,
    ],
    [
      'x {{now',
      '"{{" at position 2 has no closing "}}"; close the placeholder, or write \\{{ for literal braces',
      2,
    ],
    [
      '{{now {{run.id}}',
      '"{{" at position 0 is not closed before the next "{{" at position 6; close it with "}}", or write \\{{ for literal braces',
      0,
    ],
    [
      '{{now | date: "yyyy}}',
      'the quoted text at position 14 in the placeholder at position 0 is not closed',
      0,
    ],
    [
      '{{now | upper}}',
      'unknown filter "upper" in {{now | upper}}; the filters are date, json and urlencode',
      0,
    ],
    ['{{now | }}', '{{now | }}: a filter name must follow "|"', 0],
    [
      '{{now | date}}',
      '{{now | date}}: filter date takes a pattern and optionally a zone: | date: "yyyy-MM-dd" : "Europe/Berlin"',
      0,
    ],
    [
      '{{now | date: yyyy}}',
      '{{now | date: yyyy}}: the arguments of filter "date" are text in double quotes, like "yyyy-MM-dd"',
      0,
    ],
    [
      '{{now | date: "yyyy" "UTC"}}',
      '{{now | date: "yyyy" "UTC"}}: after filter "date", ":" and a "quoted" argument were expected, not "\\"UTC\\""',
      0,
    ],
    [
      '{{now | date: "y" : "UTC" : "x"}}',
      '{{now | date: "y" : "UTC" : "x"}}: filter date takes a pattern and optionally a zone: | date: "yyyy-MM-dd" : "Europe/Berlin"',
      0,
    ],
    ['{{now | json: "x"}}', '{{now | json: "x"}}: filter json takes no arguments', 0],
    [
      '{{now | date: ""}}',
      '{{now | date: ""}}: date pattern "" is empty; write one such as "yyyy-MM-dd"',
      0,
    ],
    [
      '{{now | date: "YYYY-MM-dd"}}',
      '{{now | date: "YYYY-MM-dd"}}: date pattern "YYYY-MM-dd": "Y" at position 0 is the week-numbering year, which differs from the calendar year around New Year; use "y" (yyyy)',
      0,
    ],
    [
      '{{now | date: "yyyy-MM-DD"}}',
      '{{now | date: "yyyy-MM-DD"}}: date pattern "yyyy-MM-DD": "D" at position 8 is the day of the year; use "d" (dd) for the day of the month',
      0,
    ],
    [
      '{{now | date: "yyyy\'T"}}',
      "{{now | date: \"yyyy'T\"}}: date pattern \"yyyy'T\" has an unclosed ' quote; text in single quotes is literal ('T'), and '' is a quote",
      0,
    ],
    [
      '{{now | date: "yyyy : "UTC"}}',
      'the quoted text at position 26 in the placeholder at position 0 is not closed',
      0,
    ],
    [
      '{{now | date: "yyyy" : "Mars/Base"}}',
      '{{now | date: "yyyy" : "Mars/Base"}}: unknown time zone "Mars/Base"; use an IANA zone name such as "UTC" or "Europe/Berlin"',
      0,
    ],
  ])('refuses %j with a sentence', (template, message, at) => {
    expect(parseTemplate(template)).toEqual({ ok: false, message, at });
  });

  it('refuses a date pattern with a letter that is no pattern letter, quoting date-fns', () => {
    const parsed = parseTemplate('{{now | date: "yyyy-MM-dd f"}}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(
        'date pattern "yyyy-MM-dd f" does not format (Format string contains an unescaped latin alphabet character `f`)',
      );
      expect(parsed.message).toContain("put literal text in single quotes ('T')");
    }
  });

  it('refuses a pattern longer than the limit, too many filters and too many placeholders', () => {
    expect(parseTemplate(`{{now | date: "${'y'.repeat(101)}"}}`)).toMatchObject({
      ok: false,
      message: expect.stringContaining('is 101 characters long; the limit is 100'),
    });
    const filters = Array(TEMPLATE_MAX_FILTERS + 1)
      .fill('json')
      .join(' | ');
    expect(parseTemplate(`{{now | ${filters}}}`)).toMatchObject({
      ok: false,
      message: expect.stringContaining(`has 9 filters; the limit is ${TEMPLATE_MAX_FILTERS}`),
    });
    const many = '{{now}}'.repeat(TEMPLATE_MAX_PLACEHOLDERS + 1);
    expect(parseTemplate(many)).toEqual({
      ok: false,
      message: `the text has more than ${TEMPLATE_MAX_PLACEHOLDERS} placeholders; split it up`,
      at: 7 * TEMPLATE_MAX_PLACEHOLDERS,
    });
    expect(parseTemplate('{{now}}'.repeat(TEMPLATE_MAX_PLACEHOLDERS)).ok).toBe(true);
  });

  it('accepts }} inside quoted arguments and keys', () => {
    expect(text(`{{now | date: "'}}'yyyy"}}`)).toBe('}}2026');
    const ctx = { ...context, input: { result: { 'a}}b': 1 } } };
    expect(text('{{input["a}}b"]}}', ctx)).toBe('1');
  });

  it('returns the same problem from renderTemplate, with its position', () => {
    expect(failure('ab{{now | nope}}')).toEqual({
      message: 'unknown filter "nope" in {{now | nope}}; the filters are date, json and urlencode',
      at: 2,
    });
  });

  it('bounds the output of one text', () => {
    const big = 'x'.repeat(1024 * 1024);
    const ctx = { ...context, input: { result: { big } } };
    const count = Math.ceil(TEMPLATE_MAX_OUTPUT_CHARS / big.length) + 1;
    expect(failure('{{input.big}}'.repeat(count), ctx).message).toBe(
      `the filled text would be longer than ${TEMPLATE_MAX_OUTPUT_CHARS} characters; use less data in it`,
    );
  });
});

describe('listPlaceholders', () => {
  it('lists the placeholders of a text in order with their filters, up to a syntax error', () => {
    const found = listPlaceholders(
      '{{customer}} {{ now | date: "yyyy" }} {{input.rows[0]}} {{broken',
    );
    expect(found.map((p) => [p.expression, p.at, p.filters.map((f) => f.name)])).toEqual([
      ['customer', 0, []],
      ['now', 13, ['date']],
      ['input.rows[0]', 38, []],
    ]);
    expect(found[2]!.name).toEqual({ kind: 'input', path: ['rows', 0] });
  });
});

describe('validateTemplates', () => {
  it('refuses input and parent placeholders in a task that runs after no other task', () => {
    const fields = {
      'params.location': '/data/{{parent.id}}.json',
      'params.content': '{{input.body.items}}',
    };
    expect(validateTemplates(fields, { chained: false })).toEqual([
      {
        field: 'params.location',
        message:
          '{{parent.id}} reads the parent run, but the task runs after no other task; add one to "Run after", or remove the placeholder',
        at: 6,
      },
      {
        field: 'params.content',
        message:
          '{{input.body.items}} reads the parent run, but the task runs after no other task; add one to "Run after", or remove the placeholder',
        at: 0,
      },
    ]);
    expect(validateTemplates(fields, { chained: true })).toEqual([]);
  });

  it('reports every field with a problem, by its name, and skips plain texts', () => {
    const issues = validateTemplates(
      {
        'params.url': 'https://h/{{nope}}',
        'params.headers.X': '{{env.KEY}}',
        plain: 'no braces',
        ok: '{{customer}}',
      },
      { chained: true, variables: ['customer'], allowEnv: [] },
    );
    expect(issues.map((i) => [i.field, i.at])).toEqual([
      ['params.url', 10],
      ['params.headers.X', 0],
    ]);
    expect(issues[0]!.message).toContain('or add "nope" to params.variables');
    expect(issues[1]!.message).toContain('add "KEY" to params.allowEnv');
  });

  it('says when a field cannot have variables or environment values at all', () => {
    const [variable, env] = validateTemplates({ a: '{{x}}', b: '{{env.X}}' }, { chained: false });
    expect(variable!.message).not.toContain('params.variables');
    expect(env!.message).toBe(
      'placeholder {{env.X}}: this field cannot read environment variables',
    );
  });
});

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
