/**
 * The problems of a json data dir (docs/storage.md, "Problems"), kept in `problems.json` so that
 * they are reported at every start until the user acknowledges them: a catalog moved aside, run
 * segments missing or damaged, records of catalog.json set aside. Acknowledging keeps the entry
 * (with `acknowledgedAt`), so the same problem is not reported again; the data it names is never
 * touched. Problems that hold only while the data is as it is ("lasting": a set-aside record) are
 * dropped once the data no longer has them.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { DataProblem } from '../../../shared/contract';
import { writeFileAtomic } from './atomic-file';

export const PROBLEMS_FILE = 'problems.json';
const VERSION = 1;

export interface ProblemInput {
  id: string;
  kind: DataProblem['kind'];
  message: string;
  recordId?: string;
  at?: string;
}

interface StoredProblem extends ProblemInput {
  since: string;
  acknowledgedAt?: string;
  /** Holds while the data is as it is: dropped when no longer found. */
  lasting?: true;
}

/** A short stable digest, for problem ids that must change when the data changes. */
export function digest(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? 'undefined')
    .digest('hex')
    .slice(0, 10);
}

function isStored(value: unknown): value is StoredProblem {
  const p = value as Partial<StoredProblem> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.id === 'string' &&
    typeof p.kind === 'string' &&
    typeof p.message === 'string' &&
    typeof p.since === 'string'
  );
}

export class ProblemFile {
  readonly path: string;
  private readonly stored = new Map<string, StoredProblem>();
  /** Found by this process only (an unreadable file): the next start looks again. */
  private readonly transient = new Map<string, StoredProblem>();
  /** Ids of the lasting problems that hold now. */
  private lastingNow: () => ReadonlySet<string> = () => new Set();
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    dir: string,
    private readonly now: () => string,
    private readonly log: (line: string) => void,
  ) {
    this.path = join(dir, PROBLEMS_FILE);
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // Bookkeeping only: the store still opens; acknowledged problems may show again.
      this.log(
        `JsonStore: ${this.path} cannot be read (${code ?? String(error)}); fix its permissions`,
      );
      return;
    }
    let problems: unknown;
    try {
      const value = JSON.parse(text) as { version?: unknown; problems?: unknown };
      problems = value.version === VERSION ? value.problems : undefined;
    } catch {
      problems = undefined;
    }
    if (!Array.isArray(problems)) {
      // Our own bookkeeping: start over, keeping the old file beside it.
      const aside = `${this.path}.unreadable-${this.now().replace(/[:.]/g, '-')}`;
      await fs.rename(this.path, aside).catch(() => undefined);
      this.log(
        `JsonStore: ${this.path} was unreadable and was moved to ${aside}; problems acknowledged before may be reported again`,
      );
      return;
    }
    for (const p of problems) if (isStored(p)) this.stored.set(p.id, p);
  }

  /** Where the lasting problems that hold now come from (the catalog's set-aside records). */
  trackLasting(ids: () => ReadonlySet<string>): void {
    this.lastingNow = ids;
  }

  /**
   * Notes a problem found now; true when it is new. A lasting one is forgotten once the data no
   * longer has it (see `pruneLasting`), a transient one when this process ends.
   */
  found(problem: ProblemInput, how: { lasting?: boolean; transient?: boolean } = {}): boolean {
    if (this.stored.has(problem.id) || this.transient.has(problem.id)) return false;
    const entry: StoredProblem = {
      ...problem,
      since: this.now(),
      ...(how.lasting ? { lasting: true as const } : {}),
    };
    if (how.transient) {
      this.transient.set(problem.id, entry);
      return true;
    }
    this.stored.set(problem.id, entry);
    this.dirty = true;
    return true;
  }

  /** Forgets a problem that no longer holds (e.g. a moved catalog was put back). */
  resolve(id: string): void {
    if (this.stored.delete(id)) this.dirty = true;
  }

  /** Ids of the stored problems of this kind. */
  idsOf(kind: DataProblem['kind']): string[] {
    return [...this.stored.values()].filter((p) => p.kind === kind).map((p) => p.id);
  }

  /** Drops lasting problems the data no longer has (call after everything was loaded). */
  pruneLasting(): void {
    const now = this.lastingNow();
    for (const [id, p] of this.stored) if (p.lasting && !now.has(id)) this.resolve(id);
  }

  /** The problems to report: not acknowledged, and (lasting ones) still holding. */
  list(): DataProblem[] {
    const lasting = this.lastingNow();
    return [...this.stored.values(), ...this.transient.values()]
      .filter((p) => p.acknowledgedAt === undefined && (!p.lasting || lasting.has(p.id)))
      .map((p) => ({
        id: p.id,
        kind: p.kind,
        ...(p.recordId !== undefined ? { recordId: p.recordId } : {}),
        message: p.message,
        ...(p.at !== undefined ? { at: p.at } : {}),
        since: p.since,
        acknowledgeable: true,
      }));
  }

  /** Stops reporting it; false when no such problem is reported. */
  async acknowledge(id: string): Promise<boolean> {
    if (!this.list().some((p) => p.id === id)) return false;
    const transient = this.transient.get(id);
    if (transient) {
      transient.acknowledgedAt = this.now();
      return true;
    }
    this.stored.get(id)!.acknowledgedAt = this.now();
    this.dirty = true;
    await this.save();
    return true;
  }

  /** Writes problems.json if something changed; writes never overlap. */
  save(): Promise<void> {
    this.saving = this.saving
      .catch(() => undefined)
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        try {
          await writeFileAtomic(
            this.path,
            JSON.stringify({ version: VERSION, problems: [...this.stored.values()] }, null, 1),
          );
        } catch (error) {
          this.dirty = true;
          throw error;
        }
      });
    return this.saving;
  }

  /** `save` for background callers: a failure is logged, never thrown. */
  saveSoon(): void {
    this.save().catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.log(`JsonStore: saving ${this.path} failed (${code}); will try again`);
    });
  }
}
