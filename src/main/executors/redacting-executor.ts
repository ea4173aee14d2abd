/**
 * Keeps a configuration's secrets out of what an api or file run reports. The run's config
 * snapshot is redacted by the runner, but messages and results echo the URL that was requested
 * (`GET https://host/x?key=… answered 404`, `result.url`, `result.location`…), which holds the
 * values filled in from secret variables, secret query keys or a URL password. This decorator
 * replaces every such value (as typed and as URL-encoded) with `REDACTED` in the error message
 * and in the result's `summary`, `url`, `location` and `headers`; response bodies are left as the
 * server sent them. A secret field holding placeholders is filled as the executor fills it: once
 * per configuration when it reads only variables and the environment, per run when it reads the
 * run's values (`Bearer {{input.body.token}}`).
 */
import { REDACTED, type Configuration, type RunResult } from '../../shared/domain';
import { secretEntries } from '../../shared/secrets';
import { listPlaceholders, urlEncode } from '../../shared/templates';
import { PlaceholderFiller, type PlaceholderParams, type PlaceholderRequest } from './placeholders';
import type { ExecutionOutcome, ExecutionRequest, Executor } from './types';
import { TaskError } from './types';

type Redacted = 'api' | 'file';

/** The result fields that echo the request (URLs, locations), redacted; the rest as is. */
const ECHO_FIELDS = ['summary', 'url', 'location'] as const;

/** `value` as it may appear inside a URL: typed, percent-encoded by each part's rules. */
function urlForms(value: string): string[] {
  const forms = [
    value,
    encodeURIComponent(value),
    urlEncode(value),
    new URLSearchParams({ v: value }).toString().slice('v='.length),
  ];
  try {
    const url = new URL('http://h/');
    url.pathname = `/${value}`;
    forms.push(url.pathname.slice(1));
    url.search = `?${value}`;
    forms.push(url.search.slice(1));
    url.password = value;
    forms.push(url.password);
  } catch {
    // not representable in a URL: the typed and encoded forms are enough
  }
  return forms;
}

/**
 * Whether the executors fill this secret field's placeholders: headers, query values and URL
 * passwords are filled; variable values and `auth` are sent as they are (a `{{` in them is part
 * of the secret).
 */
function isTemplate(key: string, value: string): boolean {
  return value.includes('{{') && !key.startsWith('variables:') && !key.startsWith('auth.');
}

/**
 * Every secret value of the configuration as it may show in a message: the stored values, or for
 * secret fields holding placeholders, the filled ones (with the run's values of `request`).
 * Longest first, so a secret holding another is replaced whole.
 */
export function secretValuesOf(
  config: Configuration,
  env: NodeJS.ProcessEnv,
  request: PlaceholderRequest = { task: undefined, config },
): string[] {
  const fill = PlaceholderFiller.of('', request, config.params as PlaceholderParams, env);
  const values = new Set<string>();
  for (const [key, value] of secretEntries(config)) {
    // A template (`Bearer {{tok}}`) names the secret: its filled value is the one to hide, and
    // the template itself stays readable in a placeholder error.
    let secret: string | undefined = value;
    if (isTemplate(key, value)) {
      try {
        secret = fill.text(value, '');
      } catch {
        secret = undefined; // the executor reports the broken placeholder
      }
    }
    if (secret === undefined || secret === '' || secret === REDACTED) continue;
    for (const form of urlForms(secret)) if (form !== '') values.add(form);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** Whether a secret field reads the run's values (then its filled value differs per run). */
function readsRunValues(config: Configuration): boolean {
  for (const [key, value] of secretEntries(config)) {
    if (!isTemplate(key, value)) continue;
    const kinds = listPlaceholders(value).map((p) => p.name.kind);
    if (kinds.some((kind) => kind !== 'variable' && kind !== 'env')) return true;
  }
  return false;
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out;
}

function redactResult(result: RunResult, secrets: readonly string[]): RunResult {
  const out: RunResult = { ...result };
  for (const field of ECHO_FIELDS) {
    const value = out[field];
    if (typeof value === 'string') out[field] = redactText(value, secrets);
  }
  const headers = out['headers'];
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    out['headers'] = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [
        k,
        typeof v === 'string' ? redactText(v, secrets) : v,
      ]),
    );
  }
  return out;
}

function redactError(error: unknown, secrets: readonly string[]): unknown {
  if (error instanceof TaskError) {
    return new TaskError(
      error.code,
      redactText(error.message, secrets),
      error.result && redactResult(error.result, secrets),
    );
  }
  if (error instanceof Error) error.message = redactText(error.message, secrets);
  return error;
}

/** Wraps an api or file executor so its runs report no secret value (see the top of the file). */
export class RedactingExecutor<T extends Redacted> implements Executor<T> {
  readonly type: T;
  // The scheduler hands one configuration object to every run of a batch: computed once each,
  // unless a secret reads the run's values.
  private readonly secrets = new WeakMap<Configuration, string[] | 'per-run'>();

  constructor(
    private readonly inner: Executor<T>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.type = inner.type;
  }

  async execute(request: ExecutionRequest<T>): Promise<ExecutionOutcome> {
    let known = this.secrets.get(request.config);
    if (known === undefined) {
      known = readsRunValues(request.config) ? 'per-run' : secretValuesOf(request.config, this.env);
      this.secrets.set(request.config, known);
    }
    const secrets = known === 'per-run' ? secretValuesOf(request.config, this.env, request) : known;
    if (secrets.length === 0) return this.inner.execute(request);
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.inner.execute(request);
    } catch (error) {
      throw redactError(error, secrets);
    }
    return { ...outcome, result: redactResult(outcome.result, secrets) };
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
