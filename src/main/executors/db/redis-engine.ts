/**
 * Redis through `redis` (node-redis): one client per uri, one multiplexed RESP3 connection that
 * every run shares (commands pipeline on it). Commands were checked before they got here
 * (redis-commands.ts: no admin, script, blocking, subscription or session command; read-only
 * ones for read tasks), so the connection's state never changes. A dropped connection is
 * reconnected a few times; a client that gives up is replaced by the pool. Commands fail at once
 * while disconnected (no offline queue), and each has its timeout and the run's abort signal.
 *
 * Replies as JSON: bulk strings as text, or `{ "$base64": … }` when not UTF-8; integers as
 * numbers (strings beyond ±2^53); doubles as numbers ("inf", "nan" as strings); maps as objects;
 * sets and arrays as arrays; null as null. Arrays and maps are cut at the cap (`truncated`).
 * The driver is loaded on first use (drivers.ts) and handed in.
 */
import type { createClient } from 'redis';
import type { DbServerUri } from '../../../shared/db-params';
import {
  engineError,
  messageOf,
  scrub,
  systemCode,
  unreachable,
  type CallOptions,
  type DbErrorCode,
  type DbTestResult,
  type RedisEngineApi,
  type RedisReply,
  type ResultCap,
} from './db-engine';
import type { EngineSettings } from './db-pools';
import type { RedisDriver } from './drivers';
import type { TaskError } from '../types';
import { raceAbort } from '../race-abort';

type Parts = DbServerUri;

/** Every string as a Buffer (to tell UTF-8 from bytes); numbers as text (to keep big ones). */
function typeMappingOf({ RESP_TYPES }: RedisDriver) {
  return {
    [RESP_TYPES.BLOB_STRING]: Buffer,
    [RESP_TYPES.SIMPLE_STRING]: Buffer,
    [RESP_TYPES.VERBATIM_STRING]: Buffer,
    [RESP_TYPES.MAP]: Map,
    [RESP_TYPES.SET]: Array,
    [RESP_TYPES.NUMBER]: String,
    [RESP_TYPES.BIG_NUMBER]: String,
    [RESP_TYPES.DOUBLE]: String,
  } as const;
}

/** Reconnects after a drop before the client gives up (the pool then opens a new one). */
const MAX_RECONNECTS = 5;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(buffer: Buffer): unknown {
  try {
    return utf8.decode(buffer);
  } catch {
    return { $base64: buffer.toString('base64') };
  }
}

function numberOf(value: string): number | string {
  const n = Number(value);
  if (!Number.isFinite(n)) return value;
  return /^-?\d+$/.test(value) && !Number.isSafeInteger(n) ? value : n;
}

function keyOf(key: unknown): string {
  return Buffer.isBuffer(key) ? Buffer.from(key).toString('utf8') : String(key);
}

function typeOf(reply: unknown): string {
  if (reply === null || reply === undefined) return 'null';
  if (Buffer.isBuffer(reply)) return 'string';
  if (typeof reply === 'string') return /^-?\d+$/.test(reply) ? 'integer' : 'double';
  if (typeof reply === 'boolean') return 'boolean';
  if (reply instanceof Map) return 'map';
  if (Array.isArray(reply)) return 'array';
  if (reply instanceof Error) return 'error';
  return typeof reply;
}

/** A reply as JSON (see the top of the file); top-level arrays and maps bounded by the cap. */
export function replyToJson(
  reply: unknown,
  cap?: ResultCap,
): { value: unknown; truncated: boolean } {
  const convert = (value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return text(value);
    if (typeof value === 'string') return numberOf(value);
    if (value instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value) {
        Object.defineProperty(out, keyOf(k), {
          value: convert(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (Array.isArray(value)) return value.map(convert);
    if (value instanceof Error) return { error: value.message };
    return value;
  };
  if (!cap || !(Array.isArray(reply) || reply instanceof Map))
    return { value: convert(reply), truncated: false };
  let bytes = 2;
  let truncated = false;
  const fits = (item: unknown, count: number): boolean => {
    if (count >= cap.maxRows || bytes > cap.maxBytes) {
      truncated = true;
      return false;
    }
    bytes += (JSON.stringify(item)?.length ?? 4) + 1;
    return true;
  };
  if (Array.isArray(reply)) {
    const out: unknown[] = [];
    for (const item of reply) {
      const json = convert(item);
      if (!fits(json, out.length)) break;
      out.push(json);
    }
    return { value: out, truncated };
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [k, v] of reply) {
    const json = convert(v);
    if (!fits(json, count++)) break;
    Object.defineProperty(out, keyOf(k), {
      value: json,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { value: out, truncated };
}

export class RedisEngine implements RedisEngineApi {
  readonly engine = 'redis' as const;
  readonly host: string;
  private readonly client: ReturnType<typeof createClient>;
  private readonly typeMapping: ReturnType<typeof typeMappingOf>;
  private connected = false;
  private gaveUp = false;

  constructor(
    private readonly redis: RedisDriver,
    uri: string,
    private readonly parts: Parts,
    private readonly settings: EngineSettings,
  ) {
    this.host = parts.host;
    const tls = settings.tls;
    const wantsTls = tls !== undefined && tls !== false;
    const url = wantsTls && !parts.tls ? uri.replace(/^redis:/i, 'rediss:') : uri;
    this.typeMapping = typeMappingOf(redis);
    this.client = redis.createClient({
      url,
      RESP: 3,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: settings.connectTimeoutMs,
        // The first connect fails at once (the run reports it); a later drop retries a few times.
        reconnectStrategy: (retries: number, cause: Error) => {
          if (!this.connected || retries >= MAX_RECONNECTS) {
            this.gaveUp = this.connected;
            return cause;
          }
          return Math.min(100 * 2 ** retries, 2_000);
        },
        ...(typeof tls === 'object'
          ? { tls: true as const, ...tls }
          : wantsTls || parts.tls
            ? { tls: true as const }
            : {}),
      },
    });
    // Connection errors also reject the commands they affect; the event must be heard.
    this.client.on('error', () => undefined);
  }

  get usable(): boolean {
    return !this.gaveUp;
  }

  async open(): Promise<void> {
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error(`no answer within ${this.settings.connectTimeoutMs} ms`)),
      this.settings.connectTimeoutMs,
    );
    try {
      await raceAbort(this.client.connect(), timeout.signal);
      this.connected = true;
    } catch (error) {
      throw this.describe(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.gaveUp = true;
    // close() waits for the replies still due; a client that never got ready has none to wait for.
    if (this.client.isReady) await this.client.close().catch(() => this.client.destroy());
    else if (this.client.isOpen) this.client.destroy();
  }

  async test(options: CallOptions): Promise<DbTestResult> {
    const reply = await this.send(['INFO', 'server'], options);
    const info = Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply);
    return { serverVersion: `Redis ${/redis_version:([^\r\n]+)/.exec(info)?.[1] ?? '?'}` };
  }

  async command(args: readonly string[], options: CallOptions): Promise<RedisReply> {
    const reply = await this.send(args, options);
    return { type: typeOf(reply), ...replyToJson(reply, options.cap) };
  }

  private async send(args: readonly string[], options: CallOptions): Promise<unknown> {
    if (options.signal.aborted) throw options.signal.reason;
    try {
      return await this.client.sendCommand([...args], {
        abortSignal: options.signal,
        ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
        typeMapping: this.typeMapping,
      });
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      throw this.describe(error, args[0]);
    }
  }

  describe(error: unknown, name?: string): TaskError {
    const { AbortError, ErrorReply, ReconnectStrategyError, TimeoutError } = this.redis;
    const cause = error instanceof ReconnectStrategyError ? error.originalError : error;
    const message = scrub(messageOf(cause), this.parts.password);
    const at = (what: string, code: DbErrorCode): TaskError =>
      engineError(code, 'redis', this.host, what);
    const command = name ? name.toUpperCase() : 'the command';
    if (cause instanceof ErrorReply) {
      const prefix = /^[A-Z]+/.exec(message)?.[0] ?? '';
      switch (prefix) {
        case 'WRONGPASS':
        case 'NOAUTH':
          return at(
            `rejected the credentials: ${message}; check the user name and password in the uri (redis://user:password@host:6379)`,
            'AUTH',
          );
        case 'NOPERM':
          return at(
            `refused ${command}: ${message}; allow it in the user's ACL or use another user`,
            'PERMISSION',
          );
        case 'READONLY':
          return at(
            `is a read-only replica and refused ${command}: ${message}; point the uri at the primary`,
            'READ_ONLY',
          );
        case 'WRONGTYPE':
          return at(
            `refused ${command}: ${message}; the key holds another type (check it with TYPE key)`,
            'INVALID_QUERY',
          );
        case 'ERR':
          return at(
            `refused ${command}: ${message}; fix the command or its arguments`,
            'INVALID_QUERY',
          );
        default:
          return at(`failed ${command}: ${message}`, 'DB_ERROR');
      }
    }
    if (cause instanceof TimeoutError) {
      return at(
        `did not answer ${command} within its timeout: ${message}; raise timeoutMs or check the server's load`,
        'TIMEOUT',
      );
    }
    if (cause instanceof AbortError)
      return at(`was not asked ${command}: the run was stopped`, 'TIMEOUT');
    if (systemCode(cause) || /connect|socket|closed|offline|answer within/i.test(message)) {
      return unreachable('redis', this.host, this.settings.connectTimeoutMs, message);
    }
    return at(`failed ${command}: ${message}`, 'DB_ERROR');
  }
}
