/** What the app gives the scheduler engine it builds (`AppOptions.createScheduler`). */
import type { Settings } from '../../shared/domain';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { TaskRunner } from '../core/task-runner';
import type { Store } from '../store/types';

export interface SchedulerDeps {
  store: Store;
  /** Present when the store arbitrates fires between instances: only the winner runs a slot. */
  claim?: (entryId: string, scheduledFor: string) => Promise<boolean>;
  runner: TaskRunner;
  clock: Clock;
  events: EventBus;
  instanceId: string;
  settings: () => Settings;
  /** Where the engine's warnings go (the entry point's logger, through the app's `warn`). */
  logger?: Pick<Console, 'warn' | 'error'>;
}
