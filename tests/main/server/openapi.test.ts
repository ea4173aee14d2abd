/**
 * `GET /api/openapi.json` of the built service: a valid OpenAPI 3.1 document that lists every
 * method of the contract (and nothing else) as `POST /api/<method>`, with the request schemas,
 * both envelopes and the bearer scheme; served without a token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../../src/shared/contract';
import { ERROR_CODES } from '../../../src/shared/errors';
import { killStarted, serveJson } from '../../support/serve-process';

interface Operation {
  operationId?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface Document {
  openapi: string;
  info: { version: string };
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>;
    schemas: Record<
      string,
      { properties: Record<string, { properties?: Record<string, unknown> }> }
    >;
  };
}

let dataDir: string;
let doc: Document;
let res: Response;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openapi-'));
  const { base } = await serveJson(dataDir, 'openapi-test-token');
  res = await fetch(`${base}api/openapi.json`);
  doc = (await res.json()) as Document;
});
afterAll(async () => {
  killStarted();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /api/openapi.json', () => {
  it('is served as JSON without a token', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('validates as an OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(doc) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every contract method as POST /api/<method>, and no other method', () => {
    const posted = Object.entries(doc.paths)
      .filter(([, item]) => item.post)
      .map(([path]) => path);
    expect(posted.sort()).toEqual(METHOD_NAMES.map((m) => `/api/${m}`).sort());
    for (const method of METHOD_NAMES) {
      expect(doc.paths[`/api/${method}`]!.post!.operationId).toBe(method);
    }
  });

  it('gives each method its request schema from the contract', () => {
    const schemaOf = (method: string): Record<string, unknown> =>
      doc.paths[`/api/${method}`]!.post!.requestBody!.content['application/json']!.schema;
    expect(schemaOf('tasks.run')).toMatchObject({
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: { type: 'string' }, wait: { type: 'boolean' } },
    });
    expect(schemaOf('runs.list')).toMatchObject({
      properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } },
    });
    // A union of param shapes stays a union.
    expect(Object.keys(schemaOf('tasks.delete'))).toContain('anyOf');
  });

  it('describes the result and error envelopes and the bearer token', () => {
    const tasksList = doc.paths['/api/tasks.list']!.post!;
    expect(tasksList.responses['200']!.content!['application/json']!.schema!.$ref).toBe(
      '#/components/schemas/ResultEnvelope',
    );
    for (const status of ['400', '401', '404', '409', '413', '415', '500', '503']) {
      expect(tasksList.responses[status]!.content!['application/json']!.schema!.$ref, status).toBe(
        '#/components/schemas/ErrorEnvelope',
      );
    }
    const error = doc.components.schemas.ErrorEnvelope!.properties.error!;
    expect(error.properties).toMatchObject({ code: { enum: [...ERROR_CODES] } });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    // The probes and this document need no token.
    for (const path of ['/api/health', '/api/ready', '/api/openapi.json']) {
      expect(doc.paths[path]!.get!.security, path).toEqual([]);
    }
  });
});
