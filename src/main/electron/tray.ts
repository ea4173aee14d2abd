/**
 * The tray: the next scheduled run, failures since start, and open / run a task / pause all for
 * 1 h or resume / quit. It refreshes on core events, so it reflects what the scheduler does.
 */
import type { AppEvent } from '../../shared/events';
import type { Clock } from '../core/clock';
import type { CoreLike } from './ipc';
import type { SchedulerControls } from './scheduler-controls';
import type { MenuItemTemplate, TrayLike } from './types';

export const PAUSE_MS = 60 * 60_000;
const MAX_TASKS_IN_MENU = 25;

/** What the tray uses of the core: its typed `call` (schedules.list, tasks.list, tasks.run). */
export type TrayCore = Pick<CoreLike, 'call'>;

export interface TrayOptions {
  tray: TrayLike;
  core: TrayCore;
  controls: SchedulerControls;
  clock: Clock;
  open(): void;
  quit(): void;
  formatTime?: (iso: string) => string;
  log?: (message: string) => void;
}

export class TrayController {
  private failures = 0;
  private lastFailure: string | undefined;
  private template: MenuItemTemplate[] = [];
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly options: TrayOptions) {
    options.tray.on('click', options.open);
  }

  /** The menu currently shown (for tests and diagnostics). */
  get menu(): MenuItemTemplate[] {
    return this.template;
  }

  handle(event: AppEvent): void {
    if (event.name === 'run.finished') {
      const { run } = event.data;
      if (run.status === 'failed' || run.status === 'timed-out') {
        this.failures++;
        this.lastFailure = run.taskName || run.configName;
      }
    }
    if (event.name !== 'run.started') void this.refresh();
  }

  /** Rebuilds tooltip and menu from the core; calls are serialized so the last one wins. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing
      .then(() => this.rebuild())
      .catch((error: unknown) => {
        (this.options.log ?? console.warn)(`Tray: refresh failed: ${String(error)}`);
      });
    return this.refreshing;
  }

  private async rebuild(): Promise<void> {
    const { core, controls, clock } = this.options;
    const format = this.options.formatTime ?? ((iso: string) => new Date(iso).toLocaleString());
    const [entries, tasks] = await Promise.all([
      core.call('schedules.list', { enabled: true }),
      core.call('tasks.list', {}),
    ]);
    const names = new Map(tasks.map((t) => [t.id, t.name]));
    const next = entries
      .filter((e) => e.nextRunAt)
      .sort((a, b) => a.nextRunAt!.localeCompare(b.nextRunAt!))[0];
    const pausedUntil = controls.pausedUntil();
    const nextLine = pausedUntil
      ? `Paused until ${format(new Date(pausedUntil).toISOString())}`
      : next
        ? `Next run: ${names.get(next.taskId) ?? next.taskId} at ${format(next.nextRunAt!)}`
        : 'No run scheduled';
    const failureLine =
      this.failures === 0
        ? 'No failures'
        : `${this.failures} failure${this.failures === 1 ? '' : 's'} (last: ${this.lastFailure})`;
    this.options.tray.setToolTip(`Task Scheduler\n${nextLine}\n${failureLine}`);
    const runItems: MenuItemTemplate[] = tasks.slice(0, MAX_TASKS_IN_MENU).map((task) => ({
      label: task.name,
      click: () => {
        core.call('tasks.run', { id: task.id, wait: false }).catch((error: unknown) => {
          (this.options.log ?? console.warn)(
            `Tray: running "${task.name}" failed: ${String(error)}`,
          );
        });
      },
    }));
    this.template = [
      { label: 'Open Task Scheduler', click: this.options.open },
      { type: 'separator' },
      { label: nextLine, enabled: false },
      { label: failureLine, enabled: false },
      { type: 'separator' },
      {
        label: 'Run a task',
        enabled: runItems.length > 0,
        submenu: runItems.length > 0 ? runItems : [{ label: 'No tasks', enabled: false }],
      },
      pausedUntil
        ? { label: 'Resume scheduling', click: () => this.resume() }
        : { label: 'Pause all for 1 hour', click: () => this.pause(clock.now() + PAUSE_MS) },
      { type: 'separator' },
      { label: 'Quit', click: this.options.quit },
    ];
    this.options.tray.setContextMenu(this.template);
  }

  private pause(until: number): void {
    this.options.controls.pauseUntil(until);
    void this.refresh();
  }

  private resume(): void {
    this.options.controls.resume();
    void this.refresh();
  }
}
