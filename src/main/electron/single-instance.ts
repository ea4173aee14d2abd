/** One instance per user: a second launch focuses the first and exits. */
import type { AppLike } from './types';

/** Returns false when another instance holds the lock (this one then quits). */
export function claimSingleInstance(app: AppLike, focusExisting: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', focusExisting);
  return true;
}
