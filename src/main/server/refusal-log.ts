/**
 * Access refusals (401 no or wrong token, 403 a foreign Host or Origin) as log lines an operator
 * can act on: someone probing the port, a script with an old token, a browser tab left open on
 * a stale session. At most one line per client address and status a minute, so a tab retrying
 * its event stream every few seconds does not flood the log; the next line says how many were
 * left out. No timer: the count rides on the next line for that client.
 */
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../core/clock';

/** One line per client address and status at most this often. */
export const REFUSAL_LOG_EVERY_MS = 60_000;
/** Clients remembered at most (the oldest are forgotten first). */
const MAX_CLIENTS = 1_000;

export interface RefusalLine {
  message: string;
  fields: { status: number; code: string; method: string; path: string; remote: string };
}

export class RefusalLog {
  /** `<remote> <status>` → when its last line was written and how many were left out since. */
  private readonly seen = new Map<string, { at: number; skipped: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly write: (line: RefusalLine) => void,
  ) {}

  /** Notes a refusal of `req` (the path only: a query may carry a token). */
  refused(req: IncomingMessage, status: number, code: string, reason: string): void {
    const remote = req.socket.remoteAddress ?? 'unknown';
    const key = `${remote} ${status}`;
    const now = this.clock.now();
    const last = this.seen.get(key);
    if (last && now - last.at < REFUSAL_LOG_EVERY_MS) {
      last.skipped++;
      return;
    }
    this.seen.delete(key);
    this.seen.set(key, { at: now, skipped: 0 });
    if (this.seen.size > MAX_CLIENTS) this.seen.delete(this.seen.keys().next().value!);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const more = last?.skipped
      ? ` (${last.skipped} more refused from there since ${new Date(last.at).toISOString()})`
      : '';
    this.write({
      message: `HTTP: refused ${method} ${path} from ${remote} with ${status}: ${firstSentence(reason)}${more}`,
      fields: { status, code, method, path, remote },
    });
  }
}

/** The refusal's reason without the module prefix, up to its first ";" (what, not what to do). */
function firstSentence(message: string): string {
  const text = message.replace(/^HTTP: /, '');
  const cut = text.indexOf(';');
  return cut === -1 ? text : text.slice(0, cut);
}
