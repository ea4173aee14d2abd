/** Sleep and resume feed the scheduler's wake-up handling. */
import type { SchedulerControls } from './scheduler-controls';
import type { PowerMonitorLike } from './types';

export function watchPower(
  powerMonitor: PowerMonitorLike,
  controls: Pick<SchedulerControls, 'wake'>,
  log: (message: string) => void = () => {},
): void {
  powerMonitor.on('suspend', () => log('Power: the system is going to sleep'));
  powerMonitor.on('resume', () => controls.wake('resume'));
  // Some Linux builds never send `resume`; unlocking the screen is a second hint (the engine
  // also detects the clock jump on its own).
  powerMonitor.on('unlock-screen', () => controls.wake('unlock-screen'));
}
