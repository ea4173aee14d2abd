/**
 * The check of every catalog document the mongodb store reads back (record-checks.ts): a document
 * that does not decode or fails the rules is skipped (never served half-parsed, never a 500) and
 * reported as a problem until it is fixed in the database. Bad settings fields fall back to their
 * defaults. Problems are this instance's view: each read refreshes them.
 */
import type { DataProblem } from '../../../shared/contract';
import type { Settings } from '../../../shared/domain';
import {
  KIND_LABELS,
  repairSettings,
  type Checked,
  type RecordIssue,
  type RecordKind,
} from '../record-checks';

type Decode = (doc: Record<string, unknown>) => unknown;

export class RecordGate {
  private readonly problems = new Map<string, DataProblem>();
  private readonly logged = new Set<string>();

  constructor(
    private readonly location: string,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** What is wrong with the documents read so far (fixed ones drop out when read again). */
  list(): DataProblem[] {
    const order = Object.keys(KIND_LABELS);
    return [...this.problems.values()].sort(
      (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.id.localeCompare(b.id),
    );
  }

  /** The good records of a whole collection; the kind's problems are replaced by this read. */
  all<T>(
    kind: RecordKind,
    collection: string,
    docs: Array<Record<string, unknown>>,
    decode: Decode,
    check: (value: unknown) => Checked<T>,
  ): T[] {
    for (const [id, p] of this.problems) if (p.kind === kind) this.problems.delete(id);
    const good: T[] = [];
    for (const doc of docs) {
      const record = this.one(kind, collection, doc, decode, check);
      if (record !== undefined) good.push(record);
    }
    return good;
  }

  /** One document: the record, or undefined (reported) when it is not valid. */
  one<T>(
    kind: RecordKind,
    collection: string,
    doc: Record<string, unknown>,
    decode: Decode,
    check: (value: unknown) => Checked<T>,
  ): T | undefined {
    const docId = String(doc._id);
    const problemId = `mongodb:${collection}:${docId}`;
    let checked: Checked<T>;
    try {
      checked = check(decode(doc));
    } catch (error) {
      const issue: RecordIssue = {
        kind,
        id: docId,
        field: '(record)',
        problem: `cannot be decoded (${error instanceof Error ? error.message : String(error)})`,
      };
      checked = { ok: false, issues: [issue] };
    }
    if (checked.ok) {
      this.problems.delete(problemId);
      return checked.record;
    }
    const what = checked.issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
    this.report({
      id: problemId,
      kind,
      recordId: docId,
      message: `${KIND_LABELS[kind][0]!.toUpperCase()}${KIND_LABELS[kind].slice(1)} "${docId}" in the database is not valid and is skipped: it is not listed, run or scheduled (${what}). Fix or delete document "${docId}" of collection ${collection}; this problem goes away once it is valid.`,
      at: `${this.location} (${collection})`,
      acknowledgeable: false,
    });
    return undefined;
  }

  /** Stored settings made usable: bad fields at their defaults, reported. */
  settings(collection: string, doc: Record<string, unknown>): Settings {
    const { settings, issues } = repairSettings(doc);
    const problemId = `mongodb:${collection}`;
    if (issues.length === 0) {
      this.problems.delete(problemId);
      return settings;
    }
    this.report({
      id: problemId,
      kind: 'settings',
      message: `The settings in the database are not valid (${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}). The app runs with the defaults for those fields; save the settings to replace the stored ones.`,
      at: `${this.location} (${collection})`,
      acknowledgeable: false,
    });
    return settings;
  }

  private report(problem: DataProblem): void {
    this.problems.set(problem.id, problem);
    if (this.logged.has(problem.id)) return;
    this.logged.add(problem.id);
    this.log(`MongoStore: ${problem.message}`);
  }
}
