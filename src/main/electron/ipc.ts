/**
 * The IPC transport: one handler per contract method. Every call is checked before the core
 * sees it: the sender must be a window this app created, its main frame, on the app's origin;
 * exactly one argument crosses. The params are validated once, by the core's `call` (the shared
 * schema, the same VALIDATION errors as over HTTP). Results and errors cross as envelopes.
 */
import { z } from 'zod';
import {
  DESKTOP_GET_CHANNEL,
  DESKTOP_SAVE_CHANNEL,
  ipcChannel,
  IPC_EVENT_CHANNEL,
  PICK_PATH_CHANNEL,
  type Envelope,
} from '../../shared/bridge';
import {
  describeIssues,
  METHOD_NAMES,
  type MethodName,
  type MethodResult,
} from '../../shared/contract';
import { AppError, toErrorData } from '../../shared/errors';
import type { AppEvent } from '../../shared/events';
import { isAppUrl } from './protocol';
import type { DialogLike, IpcInvokeEventLike, IpcMainLike, WebContentsLike } from './types';

/** The core as the transports see it: `call` validates params with the contract's schema. */
export interface CoreLike {
  call<M extends MethodName>(method: M, params: unknown): Promise<MethodResult<M>>;
}

export interface DesktopSettingsPort {
  get(): Promise<unknown>;
  save(patch: unknown): Promise<unknown>;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  core: CoreLike;
  /** The webContents ids of the windows this app created (looked up on every call). */
  trustedContents: () => Iterable<number>;
  /** The dev server origin in `npm run dev`; never set in a packaged app. */
  devOrigin?: string;
  dialog?: DialogLike;
  desktop?: DesktopSettingsPort;
  log?: (message: string) => void;
}

const pickPathSchema = z.strictObject({
  kind: z.enum(['file', 'folder']),
  save: z.boolean().optional(),
  title: z.string().trim().min(1).max(200).optional(),
  /** A plain file name: no folder part, so the page cannot choose where the dialog opens. */
  defaultName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((v) => !/[\\/]/.test(v) && v !== '.' && v !== '..', 'must be a file name, not a path')
    .optional(),
  json: z.boolean().optional(),
});

const JSON_FILTERS = [
  { name: 'JSON files', extensions: ['json'] },
  { name: 'All files', extensions: ['*'] },
];

export function senderProblem(
  event: IpcInvokeEventLike,
  trusted: Iterable<number>,
  devOrigin?: string,
): string | undefined {
  if (![...trusted].includes(event.sender.id)) return 'the sender is not a window of this app';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'the sender is not the main frame';
  const fromDev = devOrigin !== undefined && frame.url.startsWith(devOrigin);
  if (!isAppUrl(frame.url) && !fromDev)
    return `the sender's origin (${frame.url}) is not the app's`;
  return undefined;
}

async function envelope<T>(work: () => Promise<T>): Promise<Envelope<T>> {
  try {
    return { ok: true, result: await work() };
  } catch (error) {
    return { ok: false, error: toErrorData(error) };
  }
}

/** Registers every handler; returns a function that removes them. */
export function registerIpc(options: IpcOptions): () => void {
  const log = options.log ?? ((m: string) => console.warn(m));
  const channels: string[] = [];
  const guard = (channel: string, event: IpcInvokeEventLike): void => {
    const problem = senderProblem(event, options.trustedContents(), options.devOrigin);
    if (problem) {
      log(`IPC: refused ${channel}: ${problem}`);
      throw new AppError('UNAUTHORIZED', `IPC: ${channel} refused: ${problem}`);
    }
  };
  const handle = (channel: string, fn: (arg: unknown) => Promise<unknown>): void => {
    channels.push(channel);
    options.ipcMain.handle(channel, (event, ...args) =>
      envelope(async () => {
        guard(channel, event);
        if (args.length > 1) {
          throw new AppError(
            'VALIDATION',
            `IPC: ${channel} takes one argument, got ${args.length}`,
          );
        }
        return fn(args[0]);
      }),
    );
  };

  for (const method of METHOD_NAMES) {
    handle(ipcChannel(method), (params) => options.core.call(method, params));
  }
  const { dialog, desktop } = options;
  if (dialog) {
    handle(PICK_PATH_CHANNEL, async (raw) => {
      const parsed = pickPathSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        throw new AppError('VALIDATION', `native.pickPath: ${describeIssues(parsed.error)}`);
      }
      const { kind, save, title, defaultName, json } = parsed.data;
      const filters = json && kind === 'file' ? { filters: JSON_FILTERS } : {};
      if (save && kind === 'file') {
        const result = await dialog.showSaveDialog({
          title: title ?? 'Choose where to write the file',
          ...(defaultName ? { defaultPath: defaultName } : {}),
          ...filters,
        });
        return result.canceled ? undefined : result.filePath;
      }
      const result = await dialog.showOpenDialog({
        title: title ?? (kind === 'folder' ? 'Choose a folder' : 'Choose a file'),
        properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'],
        ...filters,
      });
      return result.canceled ? undefined : result.filePaths[0];
    });
  }
  if (desktop) {
    handle(DESKTOP_GET_CHANNEL, () => desktop.get());
    handle(DESKTOP_SAVE_CHANNEL, (patch) => desktop.save(patch));
  }
  return () => {
    for (const channel of channels) options.ipcMain.removeHandler(channel);
  };
}

/** Forwards core events to every window of the app. */
export function forwardEvents(
  subscribe: (listener: (event: AppEvent) => void) => () => void,
  targets: () => Iterable<WebContentsLike>,
): () => void {
  return subscribe((event) => {
    for (const contents of targets()) {
      if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
    }
  });
}
