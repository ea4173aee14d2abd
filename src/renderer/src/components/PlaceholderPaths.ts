/**
 * What the placeholder picker offers (issue #15; docs/chains.md, "Placeholders"): the built-in
 * values every run has, those of a chained run, and the paths found in a result (the parent's
 * last result as `input.…`, or a task's own last result for its checks).
 */
import { formatPath, type PathStep } from '../../../shared/value-path';

export interface PlaceholderOption {
  /** What is inserted: `{{run.scheduledFor | date: "yyyy-MM-dd"}}`. */
  text: string;
  /** What it gives, in words (or a preview of the value). */
  hint: string;
}

/** The most paths one result gives the picker. */
export const RESULT_PATHS_MAX = 200;
/** Keys listed per object, and levels walked, when collecting paths. */
const KEYS_PER_OBJECT = 50;
const DEPTH_MAX = 8;

const wrap = (expression: string): string => `{{${expression}}}`;

const BUILT_INS: ReadonlyArray<readonly [string, string]> = [
  ['now', "the run's start, ISO 8601 UTC"],
  ['now | date: "yyyy-MM-dd\'T\'HH-mm" : "UTC"', 'the start as a date and time, in a zone'],
  ['run.id', "the run's id"],
  ['run.scheduledFor', 'the schedule slot (else the start)'],
  ['run.scheduledFor | date: "yyyy-MM-dd"', 'the slot as a date: 2026-12-01'],
  ['task.name', "the task's name"],
  ['task.id', "the task's id"],
];

const CHAINED: ReadonlyArray<readonly [string, string]> = [
  ['input', "the parent run's whole result"],
  ['parent.id', "the parent run's id"],
  ['parent.scheduledFor', "the parent's slot (else its start)"],
];

/** The built-in placeholders; with those of a chained run when `chained`. */
export function builtInPlaceholders(chained: boolean): PlaceholderOption[] {
  const list = chained ? [...BUILT_INS, ...CHAINED] : BUILT_INS;
  return list.map(([expression, hint]) => ({ text: wrap(expression), hint }));
}

/** A short preview of a value: its JSON text up to 60 characters, else what it is. */
export function previewValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= 60) return text;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') {
    return `an object: ${Object.keys(value).slice(0, 5).join(', ')}…`;
  }
  return `${text.slice(0, 60)}…`;
}

export interface ResultPath {
  /** `input.body.items[0].name`, or `body.items[0].name` without a root. */
  path: string;
  preview: string;
}

/**
 * The paths of `value`, breadth first (the top-level keys come first), at most `max`: every key
 * of an object (50 per object), and of an array its `length` and its first element (walked as a
 * sample of the others). `root` prefixes each path (`input`).
 */
export function resultPaths(value: unknown, root = '', max = RESULT_PATHS_MAX): ResultPath[] {
  const out: ResultPath[] = [];
  const queue: Array<{ steps: PathStep[]; value: unknown }> = [{ steps: [], value }];
  for (let i = 0; i < queue.length && out.length < max; i++) {
    const { steps, value: here } = queue[i]!;
    if (steps.length > 0) out.push({ path: formatPath(steps, root), preview: previewValue(here) });
    if (steps.length >= DEPTH_MAX || here === null || typeof here !== 'object') continue;
    if (Array.isArray(here)) {
      queue.push({ steps: [...steps, 'length'], value: here.length });
      if (here.length > 0) queue.push({ steps: [...steps, 0], value: here[0] });
      continue;
    }
    for (const key of Object.keys(here).slice(0, KEYS_PER_OBJECT)) {
      queue.push({ steps: [...steps, key], value: (here as Record<string, unknown>)[key] });
    }
  }
  return out;
}

/** The picker's options for a chained task's parent result: `{{input.body.items}}` … */
export function inputPlaceholders(result: unknown): PlaceholderOption[] {
  return resultPaths(result, 'input').map(({ path, preview }) => ({
    text: wrap(path),
    hint: preview,
  }));
}
