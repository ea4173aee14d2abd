/**
 * Chains (docs/chains.md, "Chains"): when a run ends, every task that runs after its task with a
 * matching `when` gets one run, through the TaskRunner (so its timeout, retries, `maxConcurrent`
 * and the global limit apply), with the task's default configuration and the ended run as its
 * parent (`trigger: { kind: 'chain', parentRunId, parentTaskId }`). Each task's
 * `chainOverlap` says what a chained run does while the task's previous chained run is still
 * running: `skip` (default, recorded `skipped`), `queue` (one waits) or `allow`.
 *
 * Which ends count: `succeeded`; `failed` is failed or timed out; `finished` is either.
 * Interrupted runs (the app is stopping) and skipped runs start nothing.
 *
 * The instance whose runner ended the parent run starts its children, so with several
 * instances on one database each child runs once per parent run. Which tasks run after which is
 * kept as an index, read again before the next dispatch after a task change on this instance,
 * and, when other instances share the store (their edits reach it so), once it is older than
 * SHARED_INDEX_MAX_AGE_MS: one read every 2 s at most, however many runs end.
 */
import { compatibilityProblem } from '../../shared/compatibility';
import type { ChainWhen, Run, RunError, RunStatus, Task } from '../../shared/domain';
import { CHAIN_MAX_DEPTH } from '../../shared/limits';
import type { Store } from '../store/types';
import type { Clock } from './clock';
import { checkOperation } from './config-rules';
import type { EventBus } from './event-bus';
import type { RunRequest, RunSettled, TaskRunner } from './task-runner';

/** How old the index may get when other instances may edit tasks (as their schedule edits). */
export const SHARED_INDEX_MAX_AGE_MS = 2_000;

/** The `when`s a run that ended with this status satisfies. */
const ENDS: Partial<Record<RunStatus, readonly ChainWhen[]>> = {
  succeeded: ['succeeded', 'finished'],
  failed: ['failed', 'finished'],
  'timed-out': ['failed', 'finished'],
};

/** A task that runs after another, and when. */
interface ChildLink {
  taskId: string;
  when: ChainWhen;
}

/** The chained runs of one task on this instance, for its `chainOverlap`. */
interface ChainState {
  active: number;
  /** `chainOverlap: queue`: the one chained run waiting for the active one. */
  waiting?: RunRequest;
  onSettled?: RunSettled;
}

export interface ChainDispatchOptions {
  store: Store;
  runner: Pick<TaskRunner, 'start' | 'recordUnstarted'>;
  events: EventBus;
  clock: Clock;
  logger?: Pick<Console, 'warn' | 'error'>;
}

export class ChainDispatch {
  /** Parent task id → the tasks that run after it. */
  private index: Map<string, ChildLink[]> | undefined;
  private indexedAt = 0;
  private building: Promise<Map<string, ChildLink[]>> | undefined;
  /** Counts local task changes: a build that read the tasks before one is not kept. */
  private generation = 0;
  private readonly states = new Map<string, ChainState>();
  private readonly pending = new Set<Promise<void>>();
  private readonly shared: boolean;
  private stopped = false;

  constructor(private readonly options: ChainDispatchOptions) {
    this.shared = options.store.claim !== undefined;
    options.events.subscribe((event) => {
      if (event.name !== 'store.changed' || event.data.kind !== 'tasks') return;
      this.index = undefined;
      this.building = undefined;
      this.generation++;
    });
  }

  /**
   * The runner's hook (TaskRunnerOptions.ended): `run` is the final record of a run of
   * `request`. Returns at once; a run whose task nothing runs after costs a map lookup.
   */
  runEnded(request: RunRequest, run: Run): void {
    if (this.stopped || request.task === undefined || !run.taskId) return;
    if (ENDS[run.status] === undefined) return;
    const index = this.currentIndex();
    if (index !== undefined && !index.has(run.taskId)) return;
    const work = this.dispatch(request, run).catch((error: unknown) => {
      if (!this.stopped) {
        this.logger.error(`Chains: starting the tasks that run after run ${run.id} failed:`, error);
      }
    });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Starts nothing more; resolves once the dispatches under way are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.pending]);
  }

  private get logger(): Pick<Console, 'warn' | 'error'> {
    return this.options.logger ?? console;
  }

  /**
   * The index when it may be used as it is: undefined until it is read again after a task change
   * on this instance, or (a shared store) once it is older than SHARED_INDEX_MAX_AGE_MS.
   */
  private currentIndex(): Map<string, ChildLink[]> | undefined {
    const { index } = this;
    if (index === undefined) return undefined;
    const age = this.options.clock.now() - this.indexedAt;
    return this.shared && age > SHARED_INDEX_MAX_AGE_MS ? undefined : index;
  }

  private loadIndex(): Promise<Map<string, ChildLink[]>> {
    const current = this.currentIndex();
    return current ? Promise.resolve(current) : this.build();
  }

  /** Reads every task's runAfter into the index (one build at a time). */
  private build(): Promise<Map<string, ChildLink[]>> {
    if (this.building) return this.building;
    const generation = this.generation;
    const building = (async () => {
      const startedAt = this.options.clock.now();
      const index = new Map<string, ChildLink[]>();
      for (const task of await this.options.store.listTasks()) {
        for (const { taskId, when } of task.runAfter ?? []) {
          const links = index.get(taskId);
          if (links) links.push({ taskId: task.id, when });
          else index.set(taskId, [{ taskId: task.id, when }]);
        }
      }
      if (generation === this.generation) {
        this.index = index;
        this.indexedAt = startedAt;
      }
      return index;
    })().finally(() => {
      if (this.building === building) this.building = undefined;
    });
    this.building = building;
    return building;
  }

  private async dispatch(request: RunRequest, run: Run): Promise<void> {
    const ends = ENDS[run.status]!;
    const links = (await this.loadIndex()).get(run.taskId) ?? [];
    for (const link of links) {
      if (this.stopped) return;
      if (!ends.includes(link.when)) continue;
      // The index may be older than the task: its own runAfter decides.
      const task = await this.options.store.getTask(link.taskId);
      const still = task?.runAfter?.find((p) => p.taskId === run.taskId);
      if (!task || !still || !ends.includes(still.when)) continue;
      await this.startChild(task, request, run);
    }
  }

  /** One run of `task` with `run` as its parent, as its chainOverlap allows. */
  private async startChild(task: Task, parentRequest: RunRequest, parent: Run): Promise<void> {
    const config = await this.options.store.getConfig(task.configId);
    if (this.stopped) return;
    if (!config) {
      this.logger.warn(
        `Chains: task "${task.name}" runs after run ${parent.id}, but its configuration "${task.configId}" no longer exists; nothing is recorded until the task is fixed`,
      );
      return;
    }
    const depth = (parentRequest.chain?.depth ?? 0) + 1;
    const request: RunRequest = {
      task,
      config,
      operation: task.operation,
      trigger: { kind: 'chain', parentRunId: parent.id, parentTaskId: parent.taskId },
      chain: { parent, depth },
    };
    if (depth > CHAIN_MAX_DEPTH) {
      return this.record(request, 'skipped', {
        code: 'CHAIN_DEPTH',
        message: `Skipped: this run would be link ${depth} of a chain, and a chain has at most ${CHAIN_MAX_DEPTH} links (CHAIN_MAX_DEPTH); the tasks' runAfter make a longer chain or a cycle (saved on two instances at once?): change runAfter`,
      });
    }
    const problem = compatibilityProblem(task, config, checkOperation);
    if (problem) {
      return this.record(request, 'failed', {
        code: 'INVALID_CONFIG',
        message: problem.message,
      });
    }
    let state = this.states.get(task.id);
    if (!state) this.states.set(task.id, (state = { active: 0 }));
    const overlap = task.chainOverlap ?? 'skip';
    if (state.active > 0 && overlap === 'skip') {
      return this.record(request, 'skipped', {
        code: 'OVERLAP',
        message: `Skipped: the previous chained run of this task was still running (chainOverlap "skip"); set chainOverlap to "queue" or "allow" to run anyway`,
      });
    }
    if (state.active > 0 && overlap === 'queue') {
      if (state.waiting === undefined) {
        state.waiting = request;
        return;
      }
      return this.record(request, 'skipped', {
        code: 'OVERLAP',
        message: `Skipped: a chained run of this task was running and another was already waiting (chainOverlap "queue" keeps at most one waiting)`,
      });
    }
    this.launch(task.id, state, request);
  }

  private launch(taskId: string, state: ChainState, request: RunRequest): void {
    state.active++;
    this.options.runner.start(request, (state.onSettled ??= () => this.settled(taskId, state)));
  }

  /** A chained run of the task is over: start the one waiting, or forget the task's state. */
  private settled(taskId: string, state: ChainState): void {
    state.active--;
    if (state.active > 0) return;
    const waiting = state.waiting;
    delete state.waiting;
    if (waiting && !this.stopped) this.launch(taskId, state, waiting);
    else if (this.states.get(taskId) === state) this.states.delete(taskId);
  }

  private async record(
    request: RunRequest,
    status: 'skipped' | 'failed',
    error: RunError,
  ): Promise<void> {
    await this.options.runner.recordUnstarted(request, status, error);
  }
}
