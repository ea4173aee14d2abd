/** The stand-in's command failures. */
import type { Doc } from './wire';

/** A command failure sent as `{ ok: 0, errmsg, code, codeName, ... }`. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
  ) {
    super(message);
  }

  toReply(): Doc {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

export const badValue = (message: string): CommandError => new CommandError(2, 'BadValue', message);
