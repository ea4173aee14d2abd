import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR_NAME = 'task-scheduler';

/**
 * The OS's per-user app-data folder, the same one the desktop app uses (Electron's `userData`):
 * Linux `$XDG_CONFIG_HOME/task-scheduler` (else `~/.config/…`), macOS
 * `~/Library/Application Support/task-scheduler`, Windows `%APPDATA%\task-scheduler`.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_DIR_NAME);
}

/**
 * The folder holding this package's package.json (the repository, or the installed package),
 * found by walking up from this module: the same answer from the sources (`src/main`) and from
 * the built service (`out/server`).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
