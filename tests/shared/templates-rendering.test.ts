import { describe, expect, it } from 'vitest';
import {
  isReservedVariableName,
  renderTemplate,
  type TemplateContext,
} from '../../src/shared/templates';
import { context, failure, text } from './support/templates';

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
