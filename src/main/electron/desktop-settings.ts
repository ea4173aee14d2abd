/** Settings only the desktop app has, in `<dataDir>/desktop.json` (written atomically). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../shared/contract';
import {
  desktopSettingsPatchSchema,
  secretsBackendSchema,
  storeChoiceSchema,
  type DesktopSettingsPatch,
} from '../../shared/desktop-settings';
import { AppError } from '../../shared/errors';

export const DESKTOP_SETTINGS_FILE = 'desktop.json';

/** The desktop app's log file (turned over by size: `.1`, `.2`, `.3` beside it). */
export function desktopLogFile(dataDir: string): string {
  return path.join(dataDir, 'logs', 'task-scheduler.log');
}

export const desktopSettingsSchema = z.object({
  startAtLogin: z.boolean().default(false),
  /** `auto`: the OS keyring unless only basic_text exists, then the key file. */
  secretsBackend: secretsBackendSchema.default('auto'),
  /** The "still running in the tray" notice was shown once. */
  trayHintShown: z.boolean().default(false),
  /** Where the app keeps its data; read at start, so a change applies after a restart. */
  store: storeChoiceSchema.default('json'),
  /** The MongoDB URI for `store: mongodb`, sealed with the secrets codec (it may hold a password). */
  mongoUriSealed: z.string().optional(),
  /** The old "notify on failure" settings became the "Desktop notifications" alert (once). */
  desktopAlertCreated: z.boolean().default(false),
});
export type DesktopSettings = z.infer<typeof desktopSettingsSchema>;

/** The patch the renderer sent, checked against the shared schema (VALIDATION naming the field). */
export function parsePatch(raw: unknown): DesktopSettingsPatch {
  const parsed = desktopSettingsPatchSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AppError('VALIDATION', `desktop.saveSettings: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

export class DesktopSettingsStore {
  private readonly file: string;
  private current: DesktopSettings = desktopSettingsSchema.parse({});
  private writing: Promise<unknown> = Promise.resolve();
  private seq = 0;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, DESKTOP_SETTINGS_FILE);
  }

  get value(): DesktopSettings {
    return this.current;
  }

  /** Loads the file; a missing file means defaults, an unreadable one is reported and kept. */
  async load(log: (m: string) => void = (m) => console.warn(m)): Promise<DesktopSettings> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return this.current;
    }
    try {
      this.current = desktopSettingsSchema.parse(JSON.parse(text));
    } catch (error) {
      log(
        `DesktopSettings: ${this.file} is unreadable (${String(error)}); using defaults until saved`,
      );
    }
    return this.current;
  }

  /** Applies at once in memory; writes are serialized so the file ends with the last state. */
  update(patch: Partial<DesktopSettings>): Promise<DesktopSettings> {
    const next = { ...this.current, ...patch };
    this.current = next;
    const write = async (): Promise<DesktopSettings> => {
      const tmp = `${this.file}.${process.pid}.${++this.seq}.tmp`;
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await fs.writeFile(tmp, JSON.stringify(next, null, 2));
      await fs.rename(tmp, this.file);
      return next;
    };
    const result = this.writing.then(write, write);
    this.writing = result.catch(() => next);
    return result;
  }
}
