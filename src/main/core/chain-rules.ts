/**
 * The rules a task's `runAfter` meets (tasks.save and system.import; docs/chains.md, "Chains"):
 * every task it names exists and is another task, each named once; no cycle, direct or through
 * other tasks; and no chain through the task longer than CHAIN_MAX_DEPTH links. Arrows point
 * the way runs flow: "A → B" means B runs after A.
 *
 * Also: placeholders that read the parent run (`input`, `parent.…`) in the configuration of a
 * task that runs after nothing (validateTemplates).
 */
import type { Configuration, Task } from '../../shared/domain';
import { CHAIN_MAX_DEPTH } from '../../shared/limits';
import { collectTemplateStrings } from '../../shared/template-values';
import { validateTemplates, type TemplateIssue } from '../../shared/templates';

/** What the rules read of a task. */
export type ChainedTask = Pick<Task, 'id' | 'name' | 'runAfter'>;

/** A problem with `runAfter[index].taskId`. */
export interface ChainIssue {
  index: number;
  message: string;
}

/** The longest path one way from a task (up to its roots, down to its leaves): links, next step. */
interface Longest {
  links: number;
  next: string | undefined;
}

/**
 * The catalog's chains as they will be (the task being saved or imported in place): parents and
 * children of every task, and the longest path each way, worked out once and memoized.
 */
export class ChainGraph {
  private readonly children = new Map<string, string[]>();
  private readonly up = new Map<string, Longest>();
  private readonly down = new Map<string, Longest>();

  constructor(private readonly tasks: ReadonlyMap<string, ChainedTask>) {
    for (const task of tasks.values()) {
      for (const { taskId } of task.runAfter ?? []) {
        const list = this.children.get(taskId);
        if (list) list.push(task.id);
        else this.children.set(taskId, [task.id]);
      }
    }
  }

  /** Every problem with `task.runAfter`; `task` must be the graph's own copy of it. */
  issuesOf(task: ChainedTask): ChainIssue[] {
    const issues: ChainIssue[] = [];
    const seen = new Set<string>();
    const below = this.longest(task.id, this.down, (id) => this.children.get(id) ?? []);
    (task.runAfter ?? []).forEach(({ taskId }, index) => {
      const problem = (message: string): void => void issues.push({ index, message });
      if (taskId === task.id) return problem('a task cannot run after itself');
      if (seen.has(taskId)) {
        return problem(
          `task ${this.nameOf(taskId)} is listed twice; list it once (when "finished" covers both ends)`,
        );
      }
      seen.add(taskId);
      if (!this.tasks.has(taskId)) {
        return problem(`no task with id "${taskId}"; pick one from tasks.list`);
      }
      const cycle = this.pathUp(taskId, task.id);
      if (cycle) {
        const names = [task.id, ...cycle.reverse(), task.id].map((id) => this.nameOf(id));
        return problem(
          `this makes a cycle: ${names.join(' → ')}; a task cannot run after a task that runs after it`,
        );
      }
      const above = this.longest(taskId, this.up, (id) => this.parentsOf(id));
      const links = above.links + 1 + below.links;
      if (links > CHAIN_MAX_DEPTH) {
        const chain = [
          ...this.follow(taskId, this.up).reverse(),
          task.id,
          ...this.follow(task.id, this.down).slice(1),
        ];
        problem(
          `the chain ${chain.map((id) => this.nameOf(id)).join(' → ')} would be ${links} links long; a chain has at most ${CHAIN_MAX_DEPTH} (CHAIN_MAX_DEPTH)`,
        );
      }
    });
    return issues;
  }

  private nameOf(id: string): string {
    const task = this.tasks.get(id);
    return task ? `"${task.name}"` : `"${id}"`;
  }

  private parentsOf(id: string): string[] {
    return (this.tasks.get(id)?.runAfter ?? []).map((p) => p.taskId);
  }

  /**
   * The tasks from `from` up its parents to `to` (`from` first, `to` excluded), or undefined when
   * `to` is not above `from`. Breadth first, each task once.
   */
  private pathUp(from: string, to: string): string[] | undefined {
    const cameFrom = new Map<string, string | undefined>([[from, undefined]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      for (const parent of this.parentsOf(id)) {
        if (parent === to) {
          const path: string[] = [];
          for (let at: string | undefined = id; at !== undefined; at = cameFrom.get(at)) {
            path.push(at);
          }
          return path.reverse();
        }
        if (!cameFrom.has(parent)) {
          cameFrom.set(parent, id);
          queue.push(parent);
        }
      }
    }
    return undefined;
  }

  /** `start` and the tasks of its longest path in `memo`'s direction. */
  private follow(start: string, memo: Map<string, Longest>): string[] {
    const path = [start];
    for (let at = memo.get(start)?.next; at !== undefined; at = memo.get(at)?.next) path.push(at);
    return path;
  }

  /**
   * The longest path from `start` along `next`, memoized in `memo` for every task it passes.
   * Without recursion (an imported file may hold a long line of tasks); a task already on the
   * path being walked counts as an end, so a cycle elsewhere cannot loop.
   */
  private longest(
    start: string,
    memo: Map<string, Longest>,
    next: (id: string) => string[],
  ): Longest {
    const known = memo.get(start);
    if (known) return known;
    const onPath = new Set<string>([start]);
    const stack: Array<{ id: string; steps: string[]; at: number; best: Longest }> = [
      { id: start, steps: next(start), at: 0, best: { links: 0, next: undefined } },
    ];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.at < frame.steps.length) {
        const step = frame.steps[frame.at++]!;
        const done = memo.get(step);
        if (done) {
          if (done.links + 1 > frame.best.links) frame.best = { links: done.links + 1, next: step };
        } else if (!onPath.has(step) && this.tasks.has(step)) {
          onPath.add(step);
          stack.push({ id: step, steps: next(step), at: 0, best: { links: 0, next: undefined } });
        }
        continue;
      }
      stack.pop();
      onPath.delete(frame.id);
      memo.set(frame.id, frame.best);
      const parent = stack[stack.length - 1];
      if (parent && frame.best.links + 1 > parent.best.links) {
        parent.best = { links: frame.best.links + 1, next: frame.id };
      }
    }
    return memo.get(start)!;
  }
}

/**
 * Placeholders in `config` that read the parent run while `task` runs after no task: the
 * problems validateTemplates reports for an unchained task and not for a chained one. Every
 * string of the params is looked at, so a field that is not filled may be reported too.
 */
export function parentPlaceholderIssues(
  task: Pick<Task, 'runAfter'>,
  config: Configuration,
): TemplateIssue[] {
  if ((task.runAfter ?? []).length > 0) return [];
  const fields = collectTemplateStrings(config.params, 'params');
  if (Object.keys(fields).length === 0) return [];
  const params = config.params as { variables?: Record<string, string>; allowEnv?: string[] };
  const scope = {
    variables: Object.keys(params.variables ?? {}),
    allowEnv: params.allowEnv ?? [],
  };
  const anyway = new Set(
    validateTemplates(fields, { chained: true, ...scope }).map((i) => `${i.field}\u0000${i.at}`),
  );
  return validateTemplates(fields, { chained: false, ...scope }).filter(
    (issue) => !anyway.has(`${issue.field}\u0000${issue.at}`),
  );
}
