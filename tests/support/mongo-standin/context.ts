/**
 * What the stand-in's command modules share: the server's limits, a connection's state, and the
 * parts of the engine a command handler reads and changes.
 */
import type { Cursors } from './cursors';
import type { ScramState, StandinUser } from './scram';
import type { StandinData } from './storage';
import type { Doc } from './wire';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;
/** Mongo 7.0's wire version; the 7.x driver needs at least 9 (MongoDB 4.4). */
export const MAX_WIRE_VERSION = 21;

export interface ConnectionState {
  id: number;
  authenticated: boolean;
  scram?: ScramState;
}

export interface EngineOptions {
  users?: readonly StandinUser[];
  /** Counted connections, for `serverStatus`. */
  connections?: () => { current: number; totalCreated: number };
}

/** The engine's state that command handlers share. */
export interface EngineContext {
  readonly data: StandinData;
  readonly cursors: Cursors;
  readonly options: EngineOptions;
  readonly startedAt: number;
}

export type Handler = (db: string, cmd: Doc, conn: ConnectionState) => Doc;

/** Handlers by command name. */
export type Handlers = Record<string, Handler>;
