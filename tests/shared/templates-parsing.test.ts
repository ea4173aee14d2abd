import { describe, expect, it } from 'vitest';
import {
  TEMPLATE_MAX_FILTERS,
  TEMPLATE_MAX_OUTPUT_CHARS,
  TEMPLATE_MAX_PLACEHOLDERS,
  listPlaceholders,
  parseTemplate,
  validateTemplates,
} from '../../src/shared/templates';
import { context, failure, text } from './support/templates';

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
