/** Remembers the window's size and position in `<dataDir>/window-state.json`. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Bounds } from './types';

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_SIZE = { width: 1200, height: 800 };
const MIN = { width: 720, height: 480 };

const stateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(MIN.width).max(20_000),
  height: z.number().int().min(MIN.height).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof stateSchema>;

export const MIN_WINDOW_SIZE = MIN;

/** True when at least a 100×50 px corner of the window lies on some display's work area. */
function visibleOn(state: Bounds, displays: Bounds[]): boolean {
  return displays.some(
    (d) =>
      Math.min(state.x + state.width, d.x + d.width) - Math.max(state.x, d.x) >= 100 &&
      Math.min(state.y + state.height, d.y + d.height) - Math.max(state.y, d.y) >= 50,
  );
}

export class WindowStateStore {
  private readonly file: string;
  private seq = 0;

  constructor(
    dataDir: string,
    /** Work areas of the connected displays (Electron's `screen`). */
    private readonly displays: () => Bounds[],
  ) {
    this.file = path.join(dataDir, WINDOW_STATE_FILE);
  }

  /** The saved state when it is valid and still on a display; else undefined (use defaults). */
  async load(): Promise<WindowState | undefined> {
    try {
      const parsed = stateSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      if (!parsed.success) return undefined;
      return visibleOn(parsed.data, this.displays()) ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async save(state: WindowState): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${++this.seq}.tmp`;
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await fs.writeFile(tmp, JSON.stringify(state));
    await fs.rename(tmp, this.file);
  }
}
