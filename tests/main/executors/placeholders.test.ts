import { describe, expect, it } from 'vitest';
import {
  fillDeep,
  fillMap,
  fillTemplate,
  listPlaceholders,
  type PlaceholderScope,
} from '../../../src/main/executors/placeholders';
import { TaskError } from '../../../src/main/executors/types';

const scope: PlaceholderScope = {
  variables: { host: 'example.com', id: '42', 'api.version': 'v2', empty: '' },
  allowEnv: ['TOKEN', 'UNSET_VAR'],
  env: { TOKEN: 'abc', SECRET: 'do-not-read' },
};

function failure(fn: () => unknown): TaskError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error('expected a TaskError');
}

describe('fillTemplate', () => {
  it('replaces variables, allowing spaces inside the braces', () => {
    expect(fillTemplate('https://{{host}}/items/{{ id }}', scope, 'T')).toBe(
      'https://example.com/items/42',
    );
  });

  it('accepts dotted names and empty values', () => {
    expect(fillTemplate('{{api.version}}-[{{empty}}]', scope, 'T')).toBe('v2-[]');
  });

  it('reads allowed environment variables', () => {
    expect(fillTemplate('Bearer {{env.TOKEN}}', scope, 'T')).toBe('Bearer abc');
  });

  it('leaves text without placeholders untouched, including single braces', () => {
    expect(fillTemplate('{"a": {"b": 1}}', scope, 'T')).toBe('{"a": {"b": 1}}');
  });

  it('turns \\{{ into literal braces without expanding them', () => {
    expect(fillTemplate('literal \\{{host}} and {{host}}', scope, 'T')).toBe(
      'literal {{host}} and example.com',
    );
  });

  it('does not expand placeholders found inside inserted values', () => {
    const nested = { variables: { a: '{{b}}', b: 'never' } };
    expect(fillTemplate('{{a}}', nested, 'T')).toBe('{{b}}');
  });

  it('refuses an unknown name with INVALID_CONFIG naming the placeholder and the fix', () => {
    const error = failure(() => fillTemplate('/x/{{missing}}', scope, 'ApiExecutor: url'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'ApiExecutor: url: placeholder {{missing}} has no value; add it to params.variables or allow the env var in params.allowEnv',
    );
  });

  it('refuses an environment variable that allowEnv does not list', () => {
    const error = failure(() => fillTemplate('{{env.SECRET}}', scope, 'T'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('add "SECRET" to params.allowEnv');
    expect(error.message).not.toContain('do-not-read');
  });

  it('refuses an allowed environment variable that is not set', () => {
    const error = failure(() => fillTemplate('{{env.UNSET_VAR}}', scope, 'T'));
    expect(error.message).toContain('environment variable UNSET_VAR is not set');
  });

  it('does not read inherited object properties as variables', () => {
    const error = failure(() => fillTemplate('{{constructor}}', scope, 'T'));
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('refuses an unclosed placeholder and says how to write literal braces', () => {
    const error = failure(() => fillTemplate('a {{host', scope, 'T'));
    expect(error.message).toContain('no closing "}}"');
    expect(error.message).toContain('\\{{');
  });

  it('refuses braces that hold something other than a name', () => {
    expect(failure(() => fillTemplate('{{ a b }}', scope, 'T')).message).toContain(
      'is not a placeholder name',
    );
    expect(failure(() => fillTemplate('{{}}', scope, 'T')).code).toBe('INVALID_CONFIG');
  });
});

describe('fillDeep and fillMap', () => {
  it('fills strings inside nested objects and arrays but leaves keys and other values', () => {
    const body = { '{{id}}': ['{{host}}', 3, true, null, { deep: 'id={{id}}' }] };
    expect(fillDeep(body, scope, 'T')).toEqual({
      '{{id}}': ['example.com', 3, true, null, { deep: 'id=42' }],
    });
    expect(body['{{id}}'][0]).toBe('{{host}}');
  });

  it('keeps a __proto__ key of the content as an own key (written content loses no column)', () => {
    const content = JSON.parse('[{"__proto__":"{{id}}","a":"1"}]') as unknown;
    const filled = fillDeep(content, scope, 'T');
    expect(JSON.stringify(filled)).toBe('[{"__proto__":"42","a":"1"}]');
    expect(Object.getPrototypeOf((filled as object[])[0])).toBe(Object.prototype);
  });

  it('fills every value of a string map', () => {
    expect(fillMap({ a: '{{id}}', b: 'plain' }, scope, 'T')).toEqual({ a: '42', b: 'plain' });
    expect(fillMap(undefined, scope, 'T')).toEqual({});
  });
});

describe('listPlaceholders', () => {
  it('lists the names a template uses, skipping escaped ones', () => {
    expect(listPlaceholders('{{a}} \\{{b}} {{ env.C }} {{not a name}}')).toEqual(['a', 'env.C']);
  });
});
