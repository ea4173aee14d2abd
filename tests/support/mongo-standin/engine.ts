/**
 * The stand-in's command engine. Every command runs synchronously to completion, so each one is
 * atomic with respect to the others (as a single mongod document write is), which is what
 * unique-index claims across several clients rely on. Query semantics come from mingo.
 *
 * The commands live by family: admin-commands.ts (handshake, status, authentication),
 * read-commands.ts, write-commands.ts (with update-operators.ts), catalog-commands.ts
 * (collections, databases, indexes); storage.ts holds the data and its unique indexes,
 * queries.ts the matching, values.ts the BSON value helpers, cursors.ts the open cursors.
 */
import { adminCommands } from './admin-commands';
import { catalogCommands } from './catalog-commands';
import type { ConnectionState, EngineContext, EngineOptions, Handlers } from './context';
import { Cursors } from './cursors';
import { badValue, CommandError } from './errors';
import { readCommands } from './read-commands';
import type { StandinData } from './storage';
import type { Doc } from './wire';
import { writeCommands } from './write-commands';

export {
  MAX_BSON_OBJECT_SIZE,
  MAX_MESSAGE_SIZE,
  MAX_WIRE_VERSION,
  MAX_WRITE_BATCH_SIZE,
  type ConnectionState,
  type EngineOptions,
} from './context';
export { CommandError } from './errors';
export { CollectionState, StandinData, type IndexSpec } from './storage';
export { cloneDoc, isPlainObject, keyString } from './values';

const UNAUTHENTICATED_OK = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'saslStart',
  'saslContinue',
  'ping',
  'buildInfo',
  'buildinfo',
  'endSessions',
]);

export class Engine {
  private readonly cursors = new Cursors();
  private readonly handlers: Handlers;

  constructor(
    readonly data: StandinData,
    private readonly options: EngineOptions = {},
  ) {
    const context: EngineContext = {
      data,
      cursors: this.cursors,
      options,
      startedAt: Date.now(),
    };
    this.handlers = {
      ...adminCommands(context),
      ...readCommands(context),
      ...writeCommands(context),
      ...catalogCommands(context),
    };
  }

  /** Runs one command and returns its reply document (errors become `ok: 0` replies). */
  handle(db: string, cmd: Doc, conn: ConnectionState): Doc {
    const name = Object.keys(cmd)[0] ?? '';
    try {
      const handler = Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
      if (!handler) {
        throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
      }
      if (cmd.txnNumber !== undefined) {
        // What a real standalone says: no transactions (and no retryable-write numbers).
        throw new CommandError(
          20,
          'IllegalOperation',
          'Transaction numbers are only allowed on a replica set member or mongos',
        );
      }
      if (this.options.users?.length && !conn.authenticated && !UNAUTHENTICATED_OK.has(name)) {
        throw new CommandError(13, 'Unauthorized', `command ${name} requires authentication`);
      }
      return handler(db, cmd, conn);
    } catch (error) {
      if (error instanceof CommandError) return error.toReply();
      // mingo reports bad operators and malformed expressions by throwing.
      const message = error instanceof Error ? error.message : String(error);
      return badValue(message).toReply();
    }
  }

  /** Forgets cursors (a restarted server has none). */
  reset(): void {
    this.cursors.clear();
  }

  get openCursors(): number {
    return this.cursors.size;
  }
}
