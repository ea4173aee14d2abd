import { describe, expect, it } from 'vitest';
import {
  PlaceholderFiller,
  dbPlaceholderFill,
  runValuesOf,
  templateContextOf,
  type PlaceholderRequest,
} from '../../../src/main/executors/placeholders';
import { TaskError } from '../../../src/main/executors/types';
import type { Configuration, Task } from '../../../src/shared/domain';
import type { TemplateContext } from '../../../src/shared/templates';

const T0 = '2026-01-01T00:00:00.000Z';
const config = {
  id: 'c1',
  name: 'Rates config',
  type: 'api',
  params: { url: 'https://example.com/' },
  createdAt: T0,
  updatedAt: T0,
} as Configuration;
const task = {
  id: 'task-1',
  name: 'Save items',
  type: 'api',
  operation: 'read',
  configId: 'c1',
  createdAt: T0,
  updatedAt: T0,
} as Task;

const runValues: TemplateContext = {
  now: '2026-12-01T10:30:00.000Z',
  run: { id: 'run-1', scheduledFor: '2026-12-01T00:00:00.000Z' },
  task: { id: 'task-1', name: 'Save items' },
};
const chained: TemplateContext = {
  ...runValues,
  parent: { id: 'run-0', scheduledFor: '2026-11-30T23:00:00.000Z' },
  input: { result: { statusCode: 200, body: { items: [1, 2, 3], total: 3, name: 'a b&c' } } },
};

const params = {
  variables: { host: 'example.com', id: '42', 'api.version': 'v2', empty: '' },
  allowEnv: ['TOKEN', 'UNSET_VAR'],
};
const env = { TOKEN: 'abc', SECRET: 'do-not-read' };

function fillerFor(
  template: TemplateContext | undefined = runValues,
  taskFields: Partial<Task> = {},
): PlaceholderFiller {
  const request: PlaceholderRequest = { task: { ...task, ...taskFields }, config, template };
  return PlaceholderFiller.of('T', request, params, env);
}

const fill = fillerFor();

function failure(fn: () => unknown): TaskError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error('expected a TaskError');
}

describe('variables and the environment, as the old engine filled them', () => {
  it('replaces variables, allowing spaces inside the braces', () => {
    expect(fill.text('https://{{host}}/items/{{ id }}', 'url')).toBe(
      'https://example.com/items/42',
    );
  });

  it('accepts dotted names and empty values', () => {
    expect(fill.text('{{api.version}}-[{{empty}}]', 'f')).toBe('v2-[]');
  });

  it('reads allowed environment variables', () => {
    expect(fill.text('Bearer {{env.TOKEN}}', 'f')).toBe('Bearer abc');
  });

  it('leaves text without placeholders untouched, including single braces', () => {
    expect(fill.text('{"a": {"b": 1}}', 'f')).toBe('{"a": {"b": 1}}');
  });

  it('turns \\{{ into literal braces without expanding them', () => {
    expect(fill.text('literal \\{{host}} and {{host}}', 'f')).toBe(
      'literal {{host}} and example.com',
    );
  });

  it('does not expand placeholders found inside inserted values', () => {
    const nested = PlaceholderFiller.of(
      'T',
      { task, config, template: runValues },
      { variables: { a: '{{b}}', b: 'never' } },
      {},
    );
    expect(nested.text('{{a}}', 'f')).toBe('{{b}}');
  });

  it('refuses an unknown name with INVALID_CONFIG naming the field, the built-ins and the fix', () => {
    const error = failure(() => fill.url('/x/{{missing}}', 'url'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'url: unknown placeholder {{missing}}; the built-in values are now, run.id, run.scheduledFor, task.id, task.name, and in a chained task input, input.<path>, parent.id, parent.scheduledFor, or add "missing" to params.variables',
    );
  });

  it('refuses an environment variable that allowEnv does not list, without reading it', () => {
    const error = failure(() => fill.text('{{env.SECRET}}', 'f'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'f: placeholder {{env.SECRET}} has no value: environment variable SECRET is not allowed; add "SECRET" to params.allowEnv',
    );
  });

  it('refuses an allowed environment variable that is not set', () => {
    const error = failure(() => fill.text('{{env.UNSET_VAR}}', 'f'));
    expect(error.message).toBe(
      'f: placeholder {{env.UNSET_VAR}} has no value: environment variable UNSET_VAR is not set; set it before starting the app or use params.variables',
    );
  });

  it('does not read inherited object properties as variables', () => {
    const error = failure(() => fill.text('{{constructor}}', 'f'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('unknown placeholder {{constructor}}');
  });

  it('refuses an unclosed placeholder and says how to write literal braces', () => {
    const error = failure(() => fill.text('a {{host', 'f'));
    expect(error.message).toBe(
      'f: "{{" at position 2 has no closing "}}"; close the placeholder, or write \\{{ for literal braces',
    );
  });

  it('refuses braces that hold something other than a name', () => {
    expect(failure(() => fill.text('{{ a b }}', 'f')).message).toBe(
      'f: {{a b}} is not a placeholder: a name has no spaces in it',
    );
    expect(failure(() => fill.text('{{}}', 'f')).code).toBe('INVALID_CONFIG');
  });
});

describe('the run values', () => {
  it('fills now, run.id, run.scheduledFor, task.id and task.name', () => {
    expect(
      fill.text('{{now}} {{run.id}} {{run.scheduledFor}} {{task.id}} {{task.name}}', 'f'),
    ).toBe('2026-12-01T10:30:00.000Z run-1 2026-12-01T00:00:00.000Z task-1 Save items');
  });

  it('formats times with the date filter, in UTC or in a named zone', () => {
    expect(fill.text('items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json', 'f')).toBe(
      'items-2026-12-01.json',
    );
    expect(fill.text(`{{now | date: "yyyy-MM-dd'T'HH-mm" : "Europe/Berlin"}}`, 'f')).toBe(
      '2026-12-01T11-30',
    );
    expect(
      fill.text('{{run.scheduledFor | date: "yyyy-MM-dd HH:mm" : "America/New_York"}}', 'f'),
    ).toBe('2026-11-30 19:00');
  });

  it('applies the json and urlencode filters', () => {
    expect(fill.text('{{task.name | json}}', 'f')).toBe('"Save items"');
    expect(fill.text('{{task.name | urlencode}}', 'f')).toBe('Save%20items');
  });

  it('without the runner, uses the current time, a fresh run id and the task', () => {
    const request: PlaceholderRequest = { task, config };
    const before = Date.now();
    const values = runValuesOf(request);
    expect(Date.parse(values.now)).toBeGreaterThanOrEqual(before);
    expect(values.run.scheduledFor).toBe(values.now);
    expect(values.run.id).toMatch(/^[0-9a-f]{23}$/);
    expect(values.task).toEqual({ id: 'task-1', name: 'Save items' });
    expect(values.input).toBeUndefined();
    expect(runValuesOf(request)).toBe(values);
    expect(runValuesOf({ task: undefined, config }).task).toEqual({ id: '', name: 'Rates config' });
  });

  it('adds the variables, allowed names and environment to the runner values', () => {
    const context = templateContextOf({ task, config, template: chained }, params, env);
    expect(context).toMatchObject({ ...chained, ...params, env });
  });
});

describe('url mode', () => {
  it('percent-encodes values in the path and query but not in the scheme and host', () => {
    const filler = PlaceholderFiller.of(
      'T',
      { task, config, template: chained },
      { variables: { base: 'https://api.example.com:8443', dir: 'a/b c' } },
      {},
    );
    expect(filler.url('{{base}}/{{dir}}/x?q={{input.body.name}}#{{task.name}}', 'url')).toBe(
      'https://api.example.com:8443/a%2Fb%20c/x?q=a%20b%26c#Save%20items',
    );
  });

  it('does not encode a value twice when it ends with urlencode', () => {
    expect(fill.url('https://h/?n={{task.name | urlencode}}', 'url')).toBe(
      'https://h/?n=Save%20items',
    );
  });

  it('inserts values as they are in text mode', () => {
    expect(fillerFor(chained).text('/data/{{input.body.name}}.txt', 'f')).toBe('/data/a b&c.txt');
  });
});

describe('json mode', () => {
  const chainedFill = fillerFor(chained);

  it('makes a field that is exactly one placeholder the value itself', () => {
    expect(chainedFill.json('{{input.body.items}}', 'content')).toEqual([1, 2, 3]);
    expect(chainedFill.json(' {{input.statusCode}} ', 'content')).toBe(200);
  });

  it('fills every string inside nested values but leaves keys and other values alone', () => {
    const body = { '{{id}}': ['{{host}}', 3, true, null, { deep: 'id={{id}}' }] };
    expect(chainedFill.json(body, 'body')).toEqual({
      '{{id}}': ['example.com', 3, true, null, { deep: 'id=42' }],
    });
    expect(body['{{id}}'][0]).toBe('{{host}}');
  });

  it('keeps a __proto__ key of the content as an own key (written content loses no column)', () => {
    const content = JSON.parse('[{"__proto__":"{{id}}","a":"1"}]') as unknown;
    const filled = chainedFill.json(content, 'content');
    expect(JSON.stringify(filled)).toBe('[{"__proto__":"42","a":"1"}]');
    expect(Object.getPrototypeOf((filled as object[])[0])).toBe(Object.prototype);
  });

  it('names the whole path of a failing string inside a value', () => {
    const error = failure(() =>
      chainedFill.json({ rows: [{ a: 'x' }, { a: '{{input.body.itmes}}' }] }, 'content'),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'content.rows[1].a: input.body.itmes: no key "itmes" in input.body; it has items, total, name',
    );
  });
});

describe('string maps', () => {
  it('fills every value and names the key of a failing one', () => {
    expect(fill.map({ a: '{{id}}', b: 'plain' }, 'headers')).toEqual({ a: '42', b: 'plain' });
    expect(fill.map(undefined, 'headers')).toEqual({});
    expect(failure(() => fill.map({ 'X-Id': '{{nope}}' }, 'headers')).message).toMatch(
      /^headers\.X-Id: unknown placeholder \{\{nope\}\}/,
    );
  });
});

describe('the parent run', () => {
  it('refuses input in a run that has no parent', () => {
    const error = failure(() => fill.text('{{input.body}}', 'f'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'f: {{input.body}} reads the parent run, but this run has none: the task did not run after another task',
    );
  });

  it('refuses a truncated input with INPUT_TRUNCATED unless the task accepts it', () => {
    const truncated: TemplateContext = {
      ...chained,
      input: { result: { body: { items: [1] } }, truncated: true },
    };
    const refused = failure(() => fillerFor(truncated).json('{{input.body.items}}', 'content'));
    expect(refused.code).toBe('INPUT_TRUNCATED');
    expect(refused.message).toContain(
      "content: {{input.body.items}}: the parent run's result was truncated by the result size cap",
    );
    const inside = failure(() => fillerFor(truncated).json({ a: ['{{input.body}}'] }, 'body'));
    expect(inside.code).toBe('INPUT_TRUNCATED');
    expect(inside.message).toMatch(/^body\.a\[0\]: \{\{input\.body\}\}: the parent run/);
    const other = failure(() => fillerFor(truncated).text('{{nope}}', 'f'));
    expect(other.code).toBe('INVALID_CONFIG');
    const allowed = fillerFor(truncated, { allowTruncatedInput: true });
    expect(allowed.json('{{input.body.items}}', 'content')).toEqual([1]);
  });
});

describe('dbPlaceholderFill', () => {
  it('fills db values in json mode from the run values', () => {
    const fillDb = dbPlaceholderFill({ task, config, template: chained });
    expect(fillDb(['{{input.body.items}}', 'at {{run.id}}', 7], 'query.params')).toEqual([
      [1, 2, 3],
      'at run-1',
      7,
    ]);
  });

  it('names the db executor and the failing path', () => {
    const fillDb = dbPlaceholderFill({ task, config, template: chained });
    const error = failure(() => fillDb({ customer: '{{input.body.id}}' }, 'filter'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'filter.customer: input.body.id: no key "id" in input.body; it has items, total, name',
    );
  });
});
