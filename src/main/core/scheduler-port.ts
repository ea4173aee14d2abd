/** What the core needs from the scheduler engine (src/main/scheduler). */
import type { ScheduleEntry } from '../../shared/domain';

export interface SchedulerStatus {
  running: boolean;
  entries: number;
}

export interface SchedulerPort {
  /** Loads entries, applies missed-run policies, starts the timer. */
  start(): Promise<void>;
  /** Stops firing (running tasks are the runner's to finish). */
  stop(): Promise<void>;
  /** An entry was created or edited (including enabled/disabled): applies at once. */
  entryChanged(entry: ScheduleEntry): void;
  entryRemoved(id: string): void;
  status(): SchedulerStatus;
  /** The machine woke up (Electron powerMonitor `resume`): re-check every entry now. */
  wake?(): void;
}
