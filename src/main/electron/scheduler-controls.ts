/**
 * What the shell needs from the scheduler engine beyond `SchedulerPort`: a wake-up hook (sleep,
 * resume) and pause/resume for the tray. When the engine offers these methods they are used;
 * otherwise pausing stops the engine and resuming starts it again (which applies each entry's
 * `missed` policy once), and a wake-up is left to the engine's own clock-jump detection.
 */
import type { Clock, TimerHandle } from '../core/clock';
import type { SchedulerPort } from '../core/scheduler-port';

export interface SchedulerControls {
  /** The machine woke up (or the clock jumped): re-check due entries now. */
  wake(reason: string): void;
  /** Stops firing until `untilMs` (wall clock), then resumes by itself. */
  pauseUntil(untilMs: number): void;
  resume(): void;
  /** When a pause ends, or undefined when not paused. */
  pausedUntil(): number | undefined;
}

type OptionalEngine = Partial<{
  pauseUntil(untilMs: number): void;
  resume(): void;
}>;

export function schedulerControls(
  scheduler: SchedulerPort | undefined,
  clock: Clock,
  log: (message: string) => void = (m) => console.warn(m),
): SchedulerControls {
  const engine = scheduler as (SchedulerPort & OptionalEngine) | undefined;
  let until: number | undefined;
  let timer: TimerHandle | undefined;
  const clear = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  const controls: SchedulerControls = {
    wake(reason) {
      log(`Scheduler: wake-up (${reason})`);
      if (until === undefined) engine?.wake?.();
    },
    pauseUntil(untilMs) {
      clear();
      until = untilMs;
      if (typeof engine?.pauseUntil === 'function') engine.pauseUntil(untilMs);
      else
        void engine?.stop().catch((e: unknown) => log(`Scheduler: pausing failed: ${String(e)}`));
      // Clock timers are capped by the engine's own rules; a 1 h pause is well below them.
      timer = clock.setTimeout(() => controls.resume(), Math.max(0, untilMs - clock.now()));
    },
    resume() {
      if (until === undefined) return;
      clear();
      until = undefined;
      if (typeof engine?.resume === 'function') engine.resume();
      else
        void engine?.start().catch((e: unknown) => log(`Scheduler: resuming failed: ${String(e)}`));
    },
    pausedUntil: () => until,
  };
  return controls;
}
