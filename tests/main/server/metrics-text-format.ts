/**
 * A strict parser of Prometheus' text exposition format 0.0.4, for the metrics tests: it throws
 * on anything a Prometheus server would refuse or misread (a sample before its family's TYPE, a
 * family split in two, a bad name, label or value, a duplicate series, histogram buckets that are
 * not cumulative or whose `+Inf` bucket differs from `_count`, no final newline).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`metrics: "${text}" is not a sample value in: ${line}`);
  }
  return Number(text);
}

/** `{a="1",b="x\"y"}` → labels; returns them and where the text after `}` starts. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    const name = line.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || line[eq + 1] !== '"') {
      throw new Error(`metrics: bad label at ${i} in: ${line}`);
    }
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] !== '\\') {
        value += line[j];
        continue;
      }
      const escaped = line[++j];
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw new Error(`metrics: bad escape \\${escaped} in: ${line}`);
    }
    if (j >= line.length) throw new Error(`metrics: unterminated label value in: ${line}`);
    if (name in labels) throw new Error(`metrics: label ${name} twice in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`metrics: expected , or } at ${i} in: ${line}`);
  }
  return { labels, end: i + 1 };
}

function parseSample(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  const nameEnd = brace >= 0 && brace < space ? brace : space;
  const name = line.slice(0, nameEnd);
  if (!METRIC_NAME.test(name)) throw new Error(`metrics: bad metric name in: ${line}`);
  const { labels, end } = nameEnd === brace ? parseLabels(line, brace) : { labels: {}, end: space };
  const rest = line.slice(end).split(' ');
  // One space, the value, optionally a space and an integer timestamp.
  if (
    rest[0] !== '' ||
    rest.length < 2 ||
    rest.length > 3 ||
    (rest[2] && !/^-?\d+$/.test(rest[2]))
  ) {
    throw new Error(`metrics: bad sample line: ${line}`);
  }
  return { name, labels, value: parseValue(rest[1]!, line) };
}

/** Labels as text, whatever their order. */
function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples.filter((s) => s.name.endsWith('_bucket'))) {
    const { le, ...rest } = sample.labels;
    if (le === undefined) throw new Error(`metrics: ${family.name} bucket without le`);
    const key = labelKey(rest);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of series) {
    let previous = -Infinity;
    let count = 0;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le!, bucket.labels.le!);
      if (le <= previous || bucket.value < count) {
        throw new Error(`metrics: ${family.name}${key} buckets are not cumulative`);
      }
      previous = le;
      count = bucket.value;
    }
    const total = family.samples.find(
      (s) => s.name === `${family.name}_count` && labelKey(s.labels) === key,
    );
    if (previous !== Infinity || total?.value !== count) {
      throw new Error(`metrics: ${family.name}${key} has no +Inf bucket equal to its _count`);
    }
  }
}

/** Every family by name; throws on the first thing that is not valid text format. */
export function parseMetricsText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('metrics: the text does not end with a newline');
  const families = new Map<string, MetricFamily>();
  const seriesSeen = new Set<string>();
  let current: MetricFamily | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`metrics: bad metric name in: ${line}`);
      if (current?.name !== name) {
        if (families.has(name)) throw new Error(`metrics: family ${name} is split in two`);
        current = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, current);
      }
      if (kind === 'TYPE') {
        if (!TYPES.has(rest) || current.samples.length > 0) {
          throw new Error(`metrics: bad or late TYPE line: ${line}`);
        }
        current.type = rest as MetricType;
      } else {
        current.help = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    const suffix = current ? sample.name.slice(current.name.length) : undefined;
    if (
      !current ||
      !sample.name.startsWith(current.name) ||
      !SUFFIXES[current.type].includes(suffix!)
    ) {
      throw new Error(`metrics: sample ${sample.name} outside its family (${current?.name})`);
    }
    const series = `${sample.name}${labelKey(sample.labels)}`;
    if (seriesSeen.has(series)) throw new Error(`metrics: series ${series} twice`);
    seriesSeen.add(series);
    current.samples.push(sample);
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The value of the one sample of `family` named `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  family: string,
  labels: Record<string, string> = {},
  name = family,
): number | undefined {
  const matches = (families.get(family)?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1)
    throw new Error(`metrics: ${name} ${JSON.stringify(labels)} is ambiguous`);
  return matches[0]?.value;
}
