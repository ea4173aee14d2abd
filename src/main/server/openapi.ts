/**
 * `GET /api/openapi.json`: the HTTP API as an OpenAPI 3.1 document, generated from the contract
 * (`paramsSchemas` in src/shared/contract.ts, converted with zod's `z.toJSONSchema`), so it lists
 * exactly the methods the service answers. Results are described as the `{ result }` envelope
 * only: the contract's result types are TypeScript types, not schemas.
 */
import { z } from 'zod';
import { METHOD_NAMES, paramsSchemas, type MethodName } from '../../shared/contract';
import { ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../../shared/errors';
import { EVENT_NAMES } from '../../shared/events';
import { SCHEDULER_READINESS, STORE_READINESS } from './ready';

type JsonObject = Record<string, unknown>;

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } },
};

const ERROR_REF = { $ref: '#/components/responses/Error' };
const API_TOKEN = { bearerAuth: [] };
/** Statuses the transport itself answers before a method runs (docs/headless.md). */
const TRANSPORT_STATUSES: Record<string, string> = {
  '405': 'The path takes another HTTP method (see `Allow`).',
  '413': 'The body is over the cap (1 MiB).',
  '415': 'The body is not declared as `application/json`.',
};

/** The params schema of a method as JSON Schema 2020-12 (the dialect of OpenAPI 3.1). */
function paramsJsonSchema(method: MethodName): JsonObject {
  const schema = z.toJSONSchema(paramsSchemas[method], {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonObject;
  delete schema.$schema;
  return schema;
}

/** The error answers, one per status the contract's error codes map to. */
function errorResponses(): JsonObject {
  const codesByStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    const status = HTTP_STATUS[code];
    codesByStatus.set(status, [...(codesByStatus.get(status) ?? []), code]);
  }
  const responses: JsonObject = {};
  for (const [status, codes] of [...codesByStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `\`error.code\` ${codes.map((code) => `\`${code}\``).join(' or ')}.`,
      content: ERROR_CONTENT,
    };
  }
  for (const [status, description] of Object.entries(TRANSPORT_STATUSES)) {
    responses[status] = { description, content: ERROR_CONTENT };
  }
  return responses;
}

function methodOperation(method: MethodName, errors: JsonObject): JsonObject {
  return {
    operationId: method,
    tags: [method.slice(0, method.indexOf('.'))],
    summary: `Calls \`${method}\` with the body as its params.`,
    requestBody: {
      description: 'The params as JSON; an empty body with no Content-Type counts as `{}`.',
      content: { 'application/json': { schema: paramsJsonSchema(method) } },
    },
    responses: {
      '200': {
        description: 'The method ran; `result` is its answer (`null` when it has none).',
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/ResultEnvelope' } },
        },
      },
      ...errors,
    },
  };
}

/** A `GET` path answering JSON without a token. */
function publicJsonGet(summary: string, extraResponses: JsonObject = {}): JsonObject {
  return {
    get: {
      summary,
      security: [],
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: {} } } },
        ...extraResponses,
      },
    },
  };
}

function servicePaths(): JsonObject {
  return {
    '/api/health': publicJsonGet('Liveness: `{"ok":true}` while the process answers HTTP.'),
    '/api/ready': publicJsonGet(
      'Readiness: `{ready, store, scheduler}`; 200 when the store is open and answers and the scheduler runs.',
      {
        '503': {
          description: 'Not ready; `store` and `scheduler` say which part is not.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
        },
      },
    ),
    '/api/openapi.json': publicJsonGet('This document.'),
    '/api/events': {
      get: {
        summary: `Server-Sent Events: ${EVENT_NAMES.join(', ')}. Also takes \`?token=\`.`,
        responses: {
          '200': { description: 'The event stream.', content: { 'text/event-stream': {} } },
          '401': ERROR_REF,
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text format 0.0.4).',
        security: [API_TOKEN, { metricsToken: [] }],
        responses: {
          '200': { description: 'The metrics.', content: { 'text/plain': {} } },
          '401': ERROR_REF,
        },
      },
    },
  };
}

/** The whole document (built anew per call: the router keeps the one it serves). */
export function openApiDocument(version: string): JsonObject {
  const errors = errorResponses();
  const paths: JsonObject = servicePaths();
  for (const method of METHOD_NAMES) {
    paths[`/api/${method}`] = { post: methodOperation(method, errors) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Task Scheduler API',
      version,
      description:
        'Every contract method is `POST /api/<method>` with its params as the JSON body; the answer is `{"result": …}` or `{"error": {"code", "message", "details"?}}`. See docs/headless.md and docs/api-clients.md.',
    },
    security: [API_TOKEN],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The access token: printed at start, or given with --token.',
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The metrics token (--metrics-token): accepted by /metrics only.',
        },
      },
      schemas: {
        ResultEnvelope: {
          type: 'object',
          required: ['result'],
          properties: { result: { description: 'The method result (or null).' } },
        },
        ErrorEnvelope: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: [...ERROR_CODES] },
                message: { type: 'string' },
                details: { description: 'zod issues on VALIDATION errors, when there are any.' },
              },
            },
          },
        },
        Readiness: {
          type: 'object',
          required: ['ready', 'store', 'scheduler'],
          properties: {
            ready: { type: 'boolean' },
            store: { type: 'string', enum: [...STORE_READINESS] },
            scheduler: { type: 'string', enum: [...SCHEDULER_READINESS] },
            storeError: { type: 'string' },
          },
        },
      },
      responses: {
        Error: { description: 'An error answer.', content: ERROR_CONTENT },
      },
    },
  };
}
