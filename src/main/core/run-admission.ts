/**
 * Who may execute now: the global limit (`settings.concurrency`) and each task's own
 * `maxConcurrent`. A run first passes its task's gate (runs of a task beyond its limit wait in that
 * task's queue, holding nothing), then the global one (runs wait in one queue, in arrival order).
 * Slots are counted synchronously, so runs started in the same tick cannot overshoot.
 */
import type { Clock } from './clock';

/** What the admission needs of a run; the runner's job implements it. */
export interface Admittable {
  /** The task whose `maxConcurrent` applies, or undefined for none (set by `admit`). */
  limitKey: string | undefined;
  /** That task's limit at admission. */
  limitOf: number;
  /** When the run started waiting (clock ms), or -1 while it has not waited. */
  queuedAt: number;
}

interface TaskGate<T> {
  /** Runs of the task past its gate: executing or waiting for a global slot. */
  passed: number;
  waiting: Fifo<T>;
}

export class RunAdmission<T extends Admittable> {
  private readonly waiting = new Fifo<T>();
  /** Only tasks with a `maxConcurrent` and runs past or at their gate have one. */
  private readonly gates = new Map<string, TaskGate<T>>();
  private inUse = 0;
  private queuedAtGates = 0;

  constructor(
    private readonly globalLimit: () => number,
    private readonly clock: Clock,
    /** Starts a run in the slot just taken for it. */
    private readonly run: (item: T) => void,
  ) {}

  /** Slots in use (runs executing). */
  get active(): number {
    return this.inUse;
  }

  /** Runs waiting for a slot, at the global gate or their task's. */
  get queued(): number {
    return this.waiting.length + this.queuedAtGates;
  }

  /** How long the run waiting longest has waited; 0 when none waits. */
  oldestWaitMs(): number {
    let oldest = Infinity;
    this.waiting.forEach((item) => {
      if (item.queuedAt < oldest) oldest = item.queuedAt;
    });
    for (const gate of this.gates.values()) {
      const head = gate.waiting.peek();
      if (head && head.queuedAt < oldest) oldest = head.queuedAt;
    }
    return oldest === Infinity ? 0 : Math.max(0, this.clock.now() - oldest);
  }

  private get limit(): number {
    return Math.max(1, this.globalLimit());
  }

  /**
   * Runs `item` now when its task's gate and a global slot allow, else queues it. `limit` is its
   * task's `maxConcurrent` (undefined: none).
   */
  admit(item: T, taskId: string | undefined, limit: number | undefined): void {
    item.queuedAt = -1;
    if (taskId === undefined || limit === undefined) {
      item.limitKey = undefined;
    } else {
      item.limitKey = taskId;
      item.limitOf = limit;
      let gate = this.gates.get(taskId);
      if (!gate) {
        gate = { passed: 0, waiting: new Fifo<T>() };
        this.gates.set(taskId, gate);
      }
      if (gate.passed >= limit || gate.waiting.length > 0) {
        item.queuedAt = this.clock.now();
        gate.waiting.push(item);
        this.queuedAtGates++;
        return;
      }
      gate.passed++;
    }
    if (this.inUse < this.limit && this.waiting.length === 0) {
      this.inUse++;
      this.run(item);
      return;
    }
    item.queuedAt = this.clock.now();
    this.waiting.push(item);
  }

  /** `item`'s attempt is over: its slot and its task's pass go to the runs waiting for them. */
  release(item: T): void {
    this.inUse--;
    const key = item.limitKey;
    if (key !== undefined) {
      const gate = this.gates.get(key);
      if (gate) {
        gate.passed--;
        // A raised limit lets several through; each then waits for a global slot in turn.
        for (let next = gate.waiting.peek(); next && gate.passed < next.limitOf;) {
          gate.waiting.shift();
          this.queuedAtGates--;
          gate.passed++;
          this.waiting.push(next);
          next = gate.waiting.peek();
        }
        if (gate.passed === 0 && gate.waiting.length === 0) this.gates.delete(key);
      }
    }
    this.pump();
  }

  /** Starts waiting runs while global slots are free (a raised limit starts several). */
  pump(): void {
    while (this.inUse < this.limit && this.waiting.length > 0) {
      this.inUse++;
      this.run(this.waiting.shift()!);
    }
  }

  /** Removes and returns every waiting run (shutdown), oldest first per queue. */
  drain(): T[] {
    const items = this.waiting.drain();
    for (const [key, gate] of this.gates) {
      items.push(...gate.waiting.drain());
      if (gate.passed === 0) this.gates.delete(key);
    }
    this.queuedAtGates = 0;
    return items;
  }
}

/**
 * A queue with O(1) shift: `Array.prototype.shift` on thousands of waiting runs copies the array.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T; // let it be collected
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  forEach(fn: (item: T) => void): void {
    for (let i = this.head; i < this.items.length; i++) fn(this.items[i]!);
  }

  /** Removes and returns everything queued. */
  drain(): T[] {
    const items = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return items;
  }
}
