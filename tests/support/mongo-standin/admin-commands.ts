/**
 * The stand-in's handshake and administration: `hello`/`isMaster` (a standalone), `ping`,
 * `buildInfo`, `getParameter`, `endSessions`, a minimal `serverStatus`, and SCRAM-SHA-256
 * authentication (`saslStart`, `saslContinue`).
 */
import { BSON } from 'mongodb';
import {
  MAX_BSON_OBJECT_SIZE,
  MAX_MESSAGE_SIZE,
  MAX_WIRE_VERSION,
  MAX_WRITE_BATCH_SIZE,
  type ConnectionState,
  type EngineContext,
  type Handler,
  type Handlers,
} from './context';
import { CommandError } from './errors';
import { AuthError, scramContinue, scramStart } from './scram';
import type { Doc } from './wire';

function hello(ctx: EngineContext, cmd: Doc, conn: ConnectionState): Doc {
  const reply: Doc = {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: conn.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
  if (typeof cmd.saslSupportedMechs === 'string' && ctx.options.users?.length) {
    reply.saslSupportedMechs = ['SCRAM-SHA-256'];
  }
  return reply;
}

function serverStatus(ctx: EngineContext): Doc {
  const connections = ctx.options.connections?.() ?? { current: 0, totalCreated: 0 };
  return {
    host: '127.0.0.1',
    version: '7.0.0',
    process: 'mongo-standin',
    pid: BSON.Long.fromNumber(process.pid),
    uptime: (Date.now() - ctx.startedAt) / 1000,
    uptimeMillis: BSON.Long.fromNumber(Date.now() - ctx.startedAt),
    localTime: new Date(),
    connections: { ...connections, available: 1000 },
    metrics: { cursor: { open: { total: ctx.cursors.size } } },
    ok: 1,
  };
}

function saslStart(ctx: EngineContext, cmd: Doc, conn: ConnectionState): Doc {
  try {
    const { state, reply } = scramStart(ctx.options.users ?? [], cmd);
    conn.scram = state;
    return reply;
  } catch (error) {
    throw authFailure(error);
  }
}

function saslContinue(cmd: Doc, conn: ConnectionState): Doc {
  try {
    if (!conn.scram) throw new AuthError('Authentication failed.');
    const reply = scramContinue(conn.scram, cmd);
    conn.authenticated = true;
    delete conn.scram;
    return reply;
  } catch (error) {
    delete conn.scram;
    throw authFailure(error);
  }
}

function authFailure(error: unknown): CommandError {
  const message = error instanceof AuthError ? error.message : 'Authentication failed.';
  return new CommandError(18, 'AuthenticationFailed', message);
}

export function adminCommands(ctx: EngineContext): Handlers {
  const helloHandler: Handler = (_db, cmd, conn) => hello(ctx, cmd, conn);
  const buildInfo: Handler = () => ({
    version: '7.0.0',
    versionArray: [7, 0, 0, 0],
    gitVersion: 'mongo-standin',
    bits: 64,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    ok: 1,
  });
  return {
    hello: helloHandler,
    isMaster: helloHandler,
    ismaster: helloHandler,
    ping: () => ({ ok: 1 }),
    buildInfo,
    buildinfo: buildInfo,
    getParameter: () => ({ featureCompatibilityVersion: { version: '7.0' }, ok: 1 }),
    endSessions: () => ({ ok: 1 }),
    serverStatus: () => serverStatus(ctx),
    saslStart: (_db, cmd, conn) => saslStart(ctx, cmd, conn),
    saslContinue: (_db, cmd, conn) => saslContinue(cmd, conn),
  };
}
