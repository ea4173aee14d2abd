/**
 * What the run log reports about its segment files (docs/storage.md, "Problems"): segments the
 * summary lists but that are gone, segments with damaged records (NUL holes, cut files, garbage),
 * and segments that cannot be read at all (permissions, a directory in a file's place).
 */
import { AppError } from '../../../shared/errors';
import { digest, type ProblemInput } from './problem-file';
import { segmentEnd, segmentStart, type ParsedSegment, type SegmentSummary } from './segment';

/** A problem for the store's list; `transient` ones hold for this process only. */
export type RunLogProblem = ProblemInput & { transient?: boolean };
export type ReportProblem = (problem: RunLogProblem) => void;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const hourOf = (key: string): string => `${segmentStart(key)} to ${segmentEnd(key)}`;

/** The summary lists a segment whose file is gone. */
export function missingSegment(path: string, key: string, runs: number): RunLogProblem {
  return {
    id: `runs:${key}:missing`,
    kind: 'runs',
    at: path,
    message: `Run segment ${path} (runs started ${hourOf(key)}) is missing: the ${plural(runs, 'run')} recorded there are lost. If you have a backup, stop the app and put the file back; acknowledge this problem once you have dealt with it.`,
  };
}

/**
 * Damage found reading a segment: unreadable lines (a torn last line, the usual trace of a crash
 * mid-append, is not damage unless it is a hole of NUL bytes), or a file shorter than its summary
 * said (cut).
 */
export function segmentDamage(
  path: string,
  key: string,
  parsed: ParsedSegment,
  before: SegmentSummary | undefined,
): RunLogProblem | undefined {
  const bad = parsed.problems.filter(
    ([offset, what]) => offset !== parsed.tornAt || what.includes('NUL'),
  );
  const shrank = before !== undefined && parsed.size < before.size;
  if (bad.length === 0 && !shrank) return undefined;
  const readable = parsed.entries.size;
  const first = bad[0];
  const what = [
    ...(bad.length
      ? [
          `${plural(bad.length, 'unreadable line')} skipped (the first at byte ${first![0]}: ${first![1]})`,
        ]
      : []),
    ...(shrank ? [`the file is shorter than the summary recorded (${before.size} bytes)`] : []),
  ].join(', and ');
  const counts =
    before !== undefined
      ? `the summary listed ${plural(before.runs, 'run')}, ${readable} can be read`
      : `${plural(readable, 'run')} can be read`;
  return {
    id: `runs:${key}:damaged:${digest([parsed.size, bad.map(([offset]) => offset)])}`,
    kind: 'runs',
    at: path,
    message: `Run segment ${path} (runs started ${hourOf(key)}) is damaged: ${what}; ${counts}. The skipped records are lost unless you restore the file from a backup (stop the app first); acknowledge this problem once you have dealt with it.`,
  };
}

/** A segment that cannot be read: the problem to report and the error for the caller. */
export function unreadableSegment(
  path: string,
  key: string,
  cause: unknown,
): { problem: RunLogProblem; error: AppError } {
  const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return {
    problem: {
      id: `runs:${key}:unreadable`,
      kind: 'runs',
      at: path,
      transient: true,
      message: `Run segment ${path} (runs started ${hourOf(key)}) cannot be read (${code}): the runs of that hour are not shown and runs.list answers UNAVAILABLE when it needs them; other hours and new runs are not affected. Fix the file's permissions (or move it out of the runs folder) and restart the app.`,
    },
    error: new AppError(
      'UNAVAILABLE',
      `JsonStore: run segment ${path} cannot be read (${code}), so the runs started ${hourOf(key)} cannot be listed; fix its permissions or move it out of the runs folder and restart. Other time ranges still answer (runs.list with from/to)`,
      { file: path, code },
    ),
  };
}
