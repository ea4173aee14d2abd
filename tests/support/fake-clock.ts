/**
 * Fake time for scheduler and runner tests: timers run in due order as time is advanced, and
 * pending promises settle between timers, so tests never sleep. Wall time (`now`) and monotonic
 * time move together on `advance`; `jump` moves only the wall clock (a sleep or a clock change).
 */
import type { Clock, TimerHandle } from '../../src/main/core/clock';

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** Lets every promise chain that waits on nothing but other promises run to completion. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startIso = '2026-01-01T00:00:00.000Z') {
    this.wall = Date.parse(startIso);
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.mono + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  /** How many timers are pending (e.g. to check that nothing waits longer than it should). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** The longest delay any pending timer waits from now, in ms. */
  longestWait(): number {
    let longest = 0;
    for (const timer of this.timers.values()) longest = Math.max(longest, timer.due - this.mono);
    return longest;
  }

  /** Moves both clocks forward by `ms`, running each timer at its due time, settling in between. */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      // An overdue timer (after `stall`) runs now: time never moves backwards.
      if (next.due > this.mono) {
        this.wall += next.due - this.mono;
        this.mono = next.due;
      }
      this.timers.delete(next.id);
      next.fn();
      await settle();
    }
    this.wall += target - this.mono;
    this.mono = target;
    await settle();
  }

  /** Advances to a wall-clock time (ISO), both clocks moving together. */
  async advanceTo(iso: string): Promise<void> {
    await this.advance(Date.parse(iso) - this.wall);
  }

  /** Moves only the wall clock (laptop sleep, or the user changing the system time). */
  jump(ms: number): void {
    this.wall += ms;
  }

  /** Moves both clocks without running timers: the event loop was blocked for `ms`. */
  stall(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  /** Runs the timers that are due now, without moving time. */
  async runDue(): Promise<void> {
    await this.advance(0);
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.timers.values()) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) {
        best = timer;
      }
    }
    return best;
  }
}
