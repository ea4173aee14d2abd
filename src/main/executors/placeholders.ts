/**
 * Filling the placeholders of api and file configurations (and of db values) when a run starts,
 * on the shared engine (src/shared/templates.ts, template-values.ts; the user guide is
 * docs/chains.md, "Placeholders"). The values are the run's (`ExecutionRequest.template`: now,
 * run, task, and in a chained run parent and input) plus the configuration's `params.variables`,
 * the environment variables `params.allowEnv` lists, and nothing else.
 *
 * Where each field goes:
 * - `url`: a whole URL (api `url`, a file location that is an http(s) URL): values in the path,
 *   query and fragment are percent-encoded, those before the path (scheme, host) are not.
 * - `text`: values as they are (header and query values, local paths, text bodies).
 * - `json`: a JSON-valued field (api body, file content, db values): a string that is exactly
 *   one placeholder becomes the value itself (an array stays an array).
 *
 * A problem is a `TaskError` whose message starts with the executor and the field
 * (`url: unknown placeholder {{x}}; …`): `INVALID_CONFIG`, or `INPUT_TRUNCATED` for
 * a parent result cut by the result size cap when the task does not accept that. Nothing here
 * changes the configuration: the run keeps recording the unfilled one.
 */
import { collectTemplateStrings, renderDeep } from '../../shared/template-values';
import {
  listPlaceholders,
  renderTemplate,
  type RenderOptions,
  type TemplateContext,
  type TemplateProblem,
} from '../../shared/templates';
import { formatPath } from '../../shared/value-path';
import { createIdGenerator } from '../core/ids';
import type { ExecutionRequest } from './types';
import { TaskError } from './types';

/** What a configuration adds to the run's values. */
export interface PlaceholderParams {
  /** Values for `{{name}}`. */
  variables?: Readonly<Record<string, string>> | undefined;
  /** Environment variables `{{env.NAME}}` may read. */
  allowEnv?: readonly string[] | undefined;
}

/** The parts of a request the placeholders read. */
export type PlaceholderRequest = Pick<ExecutionRequest, 'task' | 'config' | 'template'>;

/** A db value filler with the engine runner's signature (db/engine-runner.ts `fill`). */
export type ValueFill = (value: unknown, where: string) => unknown;

const standaloneIds = createIdGenerator();
/** Values of requests that came without the runner's (tests, direct calls): one per request. */
const standalone = new WeakMap<PlaceholderRequest, TemplateContext>();

/**
 * The run's values for a request: the runner's `template`, or, for a request without one (an
 * executor called directly), the current time, a fresh run id and the request's task (the
 * configuration's name when there is no task) — never input or a parent.
 */
export function runValuesOf(request: PlaceholderRequest): TemplateContext {
  if (request.template !== undefined) return request.template;
  let values = standalone.get(request);
  if (values === undefined) {
    const now = new Date().toISOString();
    values = {
      now,
      run: { id: standaloneIds(), scheduledFor: now },
      task: { id: request.task?.id ?? '', name: request.task?.name ?? request.config.name },
    };
    standalone.set(request, values);
  }
  return values;
}

/** The run's values plus the configuration's variables, allowed env names and the env. */
export function templateContextOf(
  request: PlaceholderRequest,
  params: PlaceholderParams,
  env: Readonly<Record<string, string | undefined>>,
): TemplateContext {
  return {
    ...runValuesOf(request),
    ...(params.variables ? { variables: params.variables } : {}),
    ...(params.allowEnv ? { allowEnv: params.allowEnv } : {}),
    env,
  };
}

/** The render options of a request: the task's `allowTruncatedInput`. */
export function renderOptionsOf(request: Pick<ExecutionRequest, 'task'>): RenderOptions {
  return request.task?.allowTruncatedInput === true ? { allowTruncatedInput: true } : {};
}

/** Fills one configuration's fields; the context is built on the first field that needs it. */
export class PlaceholderFiller {
  private built: TemplateContext | undefined;

  /**
   * @param where the executor (`ApiExecutor`), for logs; messages start with the field instead
   * @param context the values, or a function that builds them when first needed
   */
  constructor(
    private readonly where: string,
    private readonly context: TemplateContext | (() => TemplateContext),
    private readonly options: RenderOptions = {},
  ) {}

  /** A filler for one request and its configuration's params. */
  static of(
    where: string,
    request: PlaceholderRequest,
    params: PlaceholderParams,
    env: Readonly<Record<string, string | undefined>>,
  ): PlaceholderFiller {
    return new PlaceholderFiller(
      where,
      () => templateContextOf(request, params, env),
      renderOptionsOf(request),
    );
  }

  /** The values this filler reads. */
  get values(): TemplateContext {
    return (this.built ??= typeof this.context === 'function' ? this.context() : this.context);
  }

  /** Values go in as they are (local paths, header and query values, text bodies). */
  text(text: string, field: string): string {
    return this.string(text, 'text', field);
  }

  /** A whole URL: values in the path, query and fragment are percent-encoded. */
  url(text: string, field: string): string {
    return this.string(text, 'url', field);
  }

  /** Every value of a string map in text mode; a problem names the key (`headers.X-Id`). */
  map(map: Readonly<Record<string, string>> | undefined, field: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(map ?? {})) {
      out[key] = this.text(value, formatPath([key], field));
    }
    return out;
  }

  /** A JSON-valued field: every string inside it in json mode (keys are never filled). */
  json(value: unknown, field: string): unknown {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return value;
      const rendered = renderTemplate(value, this.values, 'json', this.options);
      if (rendered.ok) return rendered.value;
      throw this.problem(field, value, rendered);
    }
    const filled = renderDeep(value, this.values, this.options);
    if (filled.ok) return filled.value;
    // Rare: find the string that failed, so the message names its whole path and its code.
    for (const [path, text] of Object.entries(collectTemplateStrings(value, field))) {
      const rendered = renderTemplate(text, this.values, 'json', this.options);
      if (!rendered.ok) throw this.problem(path, text, rendered);
    }
    throw new TaskError('INVALID_CONFIG', `${field}: ${filled.message}`);
  }

  private string(text: string, mode: 'text' | 'url', field: string): string {
    if (!text.includes('{{')) return text;
    const rendered = renderTemplate(text, this.values, mode, this.options);
    if (rendered.ok) return rendered.value;
    throw this.problem(field, text, rendered);
  }

  /** INPUT_TRUNCATED when an `input` placeholder failed on a cut result, else INVALID_CONFIG. */
  private problem(field: string, text: string, problem: TemplateProblem): TaskError {
    const cut =
      this.values.input?.truncated === true &&
      this.options.allowTruncatedInput !== true &&
      listPlaceholders(text).some((p) => p.at === problem.at && p.name.kind === 'input');
    return new TaskError(
      cut ? 'INPUT_TRUNCATED' : 'INVALID_CONFIG',
      `${field}: ${problem.message}`,
    );
  }
}

/**
 * The `fill` a db run hands to the engine runner (db/engine-runner.ts `EngineRunRequest.fill`)
 * and uses for MongoDB's filter, update, pipeline and documents: json mode over the run's values
 * (db configurations have no variables or environment); problems are
 * `<where>: <message>` with the failing string's path.
 */
export function dbPlaceholderFill(request: PlaceholderRequest): ValueFill {
  const filler = new PlaceholderFiller(
    'DbExecutor',
    () => runValuesOf(request),
    renderOptionsOf(request),
  );
  return (value, where) => filler.json(value, where);
}
