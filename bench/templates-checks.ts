/**
 * Cost of the issue #15 building blocks: `node --import tsx bench/templates-checks.ts` (or
 * `npm run bench -- templates-checks`).
 *
 * 1. Worst-case `matches` checks (src/shared/regex-bounds.ts): for each kind of accepted pattern,
 *    the input that makes it backtrack most, at the longest length the pattern is allowed to
 *    match (its `maxInput`), and one character past it (refused without matching). Prints the
 *    best of BENCH_N (default 5) matches in ms: these are the bound a check can take, in the core
 *    and in the renderer's live evaluation.
 * 2. Filling a chained file write's templates (location with a date filter, content as one JSON
 *    placeholder, a JSON body with five placeholders) and evaluating five checks, per call in µs
 *    (mean over 20,000 calls after 2,000 warm-up calls), beside a baseline of JSON.stringify of the
 *    same input, measured in the same run: the ratio is what the figures mean on a shared machine.
 * 3. Building a typical api write request per run through the executors' filler
 *    (src/main/executors/placeholders.ts, `prepareApiRequest`): url with a variable and a date,
 *    three headers, a query value, the JSON body of 2.; beside the same request with the values
 *    typed in (no placeholders), so the difference is what filling costs per run.
 */
import { performance } from 'node:perf_hooks';
import { prepareApiRequest } from '../src/main/executors/api-executor';
import { PlaceholderFiller } from '../src/main/executors/placeholders';
import type { ApiParams, Configuration } from '../src/shared/domain';
import { evaluateChecks, type Check } from '../src/shared/checks';
import { analyzeRegex, matchBounded } from '../src/shared/regex-bounds';
import { renderDeep } from '../src/shared/template-values';
import { renderTemplate, type TemplateContext } from '../src/shared/templates';

const N = Number(process.env.BENCH_N ?? 5);

const worstCases: Array<[string, string, string]> = [
  ['plain text', 'needle', 'n'],
  ['1 repetition', '\\s+$', ' '],
  ['1 repetition, leading', '.*x', 'y'],
  ['2 repetitions', 'a+a+b', 'a'],
  ['3 repetitions', 'a+a+a+b', 'a'],
  ['2 repetitions, 512 branches', 'a?a?a?a?a?a?a?a?a?a+a+b', 'a'],
  ['bounded, 900 branches', 'a{1,30}a{1,30}b', 'a'],
];

console.log('Worst-case matches checks at their input cap (best of', N, 'runs)');
console.log(
  'kind'.padEnd(30),
  'pattern'.padEnd(26),
  'maxInput'.padStart(9),
  '      ms',
  ' past cap',
);
for (const [kind, pattern, ch] of worstCases) {
  const analysis = analyzeRegex(pattern);
  if (!analysis.ok) throw new Error(analysis.message);
  const text = `${ch.repeat(analysis.maxInput - 1)}!`;
  let best = Infinity;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    matchBounded(pattern, text);
    best = Math.min(best, performance.now() - t0);
  }
  const past = matchBounded(pattern, `${text}!`);
  console.log(
    kind.padEnd(30),
    pattern.padEnd(26),
    String(analysis.maxInput).padStart(9),
    best.toFixed(2).padStart(8),
    past.ok ? ' matched?!' : ' refused',
  );
}

const input = {
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: {
    items: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `item ${i}` })),
    total: 100,
  },
};
const context: TemplateContext = {
  now: '2026-12-01T10:30:00.000Z',
  run: { id: 'run-1', scheduledFor: '2026-12-01T10:00:00.000Z' },
  task: { id: 'task-1', name: 'Save items' },
  parent: { id: 'run-0', scheduledFor: '2026-12-01T10:00:00.000Z' },
  input: { result: input },
};
const body = {
  items: '{{input.body.items}}',
  count: '{{input.body.total}}',
  label: 'Run {{run.id}} of {{task.name}}',
  at: '{{now | date: "yyyy-MM-dd\'T\'HH:mm" : "Europe/Berlin"}}',
};
const checks: Check[] = [
  { path: 'statusCode', op: 'equals', value: 200 },
  { path: 'body.items.length', op: 'gte', value: 1 },
  { path: 'body.total', op: 'lt', value: 1000 },
  { path: 'headers.content-type', op: 'matches', value: '^application/json' },
  { path: 'body.items[0].name', op: 'changed' },
];

function fill(): void {
  renderTemplate('/data/items-{{run.scheduledFor | date: "yyyy-MM-dd"}}.json', context, 'text');
  renderTemplate('{{input.body.items}}', context, 'json');
  renderDeep(body, context);
  evaluateChecks(checks, input, { previous: input });
}

function perCallMicros(fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn();
  const calls = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return ((performance.now() - t0) * 1000) / calls;
}

const filled = perCallMicros(fill);
const baseline = perCallMicros(() => JSON.stringify(input));
console.log('\nOne chained run: 3 template fills (7 placeholders) + 5 checks');
console.log(`  fill + checks:             ${filled.toFixed(1)} µs per run`);
console.log(
  `  JSON.stringify(input):     ${baseline.toFixed(1)} µs (input of 100 items, baseline)`,
);
console.log(`  ratio fill+checks / stringify: ${(filled / baseline).toFixed(2)}`);

const apiParams: ApiParams = {
  url: 'https://api.example.com/v1/{{customer}}/items?day={{run.scheduledFor | date: "yyyy-MM-dd"}}',
  method: 'POST',
  headers: {
    Authorization: 'Bearer {{env.API_TOKEN}}',
    'X-Run': '{{run.id}}',
    Accept: 'application/json',
  },
  query: { parent: '{{parent.id}}' },
  body,
  variables: { customer: 'acme' },
  allowEnv: ['API_TOKEN'],
};
const typedParams: ApiParams = {
  url: 'https://api.example.com/v1/acme/items?day=2026-12-01',
  method: 'POST',
  headers: { Authorization: 'Bearer t0ken', 'X-Run': 'run-1', Accept: 'application/json' },
  query: { parent: 'run-0' },
  body: {
    items: input.body.items,
    count: 100,
    label: 'Run run-1 of Save items',
    at: '2026-12-01T11:30',
  },
};
const apiEnv = { API_TOKEN: 't0ken' };
const T0 = '2026-01-01T00:00:00.000Z';
function apiRun(params: ApiParams): void {
  const config = { id: 'c', name: 'c', type: 'api', params, createdAt: T0, updatedAt: T0 };
  // A new request per run, as the runner makes one: the filler builds its context from it.
  const request = { task: undefined, config: config as Configuration, template: context };
  prepareApiRequest(params, 'write', PlaceholderFiller.of('ApiExecutor', request, params, apiEnv));
}

const withPlaceholders = perCallMicros(() => apiRun(apiParams));
const typed = perCallMicros(() => apiRun(typedParams));
console.log('\nOne api write request built per run (prepareApiRequest, 100-item JSON body)');
console.log(`  with 9 placeholders:       ${withPlaceholders.toFixed(1)} µs per run`);
console.log(`  values typed in:           ${typed.toFixed(1)} µs per run`);
console.log(`  filling costs:             ${(withPlaceholders - typed).toFixed(1)} µs per run`);
