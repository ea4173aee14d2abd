/**
 * The desktop app's OS notifications as an alert channel (docs/alerts.md, "desktop"; docs/desktop.md):
 * `DesktopNotifications` is the `DesktopNotifier` port the desktop composition hands to the core
 * (main.ts → composeApp), so which tasks, on what and the quiet period are an alert's rules like
 * any other channel's. Clicking a notification opens its run. `ensureDesktopAlert` turns the old
 * "notify on failure" settings into that alert once, on the first start that has this code.
 */
import type { Alert, AlertInput } from '../../shared/alerts';
import type { Settings } from '../../shared/domain';
import { messageOf } from '../../shared/errors';
import type { DesktopNotifier } from '../alerts/senders';
import type { CoreLike } from './ipc';
import type { NotificationFactory } from './types';

/** Says why a notification could not be shown (an alert delivery then records it as failed). */
export const NOTIFICATIONS_UNSUPPORTED = 'this system does not show notifications';

export class DesktopNotifications implements DesktopNotifier {
  private open: (runId: string | undefined) => void = () => {};

  /** `supported`: Electron's `Notification.isSupported` (false on a Linux without a server). */
  constructor(
    private readonly notify: NotificationFactory,
    private readonly supported: () => boolean = () => true,
  ) {}

  /** What a click does: the shell shows its window on the run (set once the shell exists). */
  onClick(open: (runId: string | undefined) => void): void {
    this.open = open;
  }

  show(message: { title: string; body: string; runId?: string }): void {
    if (!this.supported()) throw new Error(NOTIFICATIONS_UNSUPPORTED);
    const notification = this.notify({ title: message.title, body: message.body });
    notification.on('click', () => this.open(message.runId));
    notification.show();
  }
}

/** The name of the alert the migration creates. */
export const DESKTOP_ALERT_NAME = 'Desktop notifications';

/**
 * The alert that does what the old `notifications` / `notifyAfterFailures` settings did:
 * `always` → every failure, time-out and recovery; `after-failures` → from the N-th failure in a
 * row on, and the recovery; `never` → the same alert, disabled, for the user to turn on.
 */
export function desktopAlertFromSettings(
  settings: Pick<Settings, 'notifications' | 'notifyAfterFailures'>,
): AlertInput {
  const { notifications, notifyAfterFailures } = settings;
  const afterFailures = notifications === 'after-failures' && notifyAfterFailures >= 2;
  return {
    name: DESKTOP_ALERT_NAME,
    enabled: notifications !== 'never',
    channel: { kind: 'desktop' },
    rule: {
      tasks: { kind: 'all' },
      on: afterFailures
        ? ['consecutive-failures', 'recovered']
        : ['failed', 'timed-out', 'recovered'],
      ...(afterFailures ? { consecutiveFailures: notifyAfterFailures } : {}),
      quietMinutes: 0,
    },
  };
}

export interface EnsureDesktopAlertOptions {
  core: CoreLike & { readonly currentSettings: Settings };
  /** Whether the migration ran already (the desktop settings' `desktopAlertCreated`). */
  done: boolean;
  markDone: () => Promise<unknown>;
  log: (message: string) => void;
}

/**
 * Creates the desktop alert once: on the first start after the upgrade (or the first start at
 * all), unless an alert with the desktop channel exists already. Deleting it later is the
 * user's choice: it is not created again. A failure is logged and tried at the next start.
 */
export async function ensureDesktopAlert(o: EnsureDesktopAlertOptions): Promise<Alert | undefined> {
  if (o.done) return undefined;
  try {
    const alerts = await o.core.call('alerts.list', {});
    let created: Alert | undefined;
    if (!alerts.some((alert) => alert.channel.kind === 'desktop')) {
      const alert = desktopAlertFromSettings(o.core.currentSettings);
      created = await o.core.call('alerts.save', { alert });
    }
    await o.markDone();
    return created;
  } catch (error) {
    o.log(
      `Notifications: creating the desktop alert failed; will try at the next start: ${messageOf(error)}`,
    );
    return undefined;
  }
}
