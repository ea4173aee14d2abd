/** Server side of SCRAM-SHA-256 (RFC 5802/7677), enough for the driver's default authentication. */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { BSON } from 'mongodb';
import type { Doc } from './wire';

export interface StandinUser {
  user: string;
  password: string;
}

const ITERATIONS = 4096;

export interface ScramState {
  user: StandinUser;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  salt: Buffer;
}

export class AuthError extends Error {}

function payloadText(value: unknown): string {
  if (value instanceof BSON.Binary) {
    return Buffer.from(value.buffer.subarray(0, value.position)).toString('utf8');
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  throw new AuthError('mongo-standin: SASL payload must be binary');
}

function attributes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

export function scramStart(
  users: readonly StandinUser[],
  command: Doc,
): { state: ScramState; reply: Doc } {
  if (command.mechanism !== 'SCRAM-SHA-256') {
    throw new AuthError(
      `mongo-standin: mechanism ${String(command.mechanism)} is not supported; use SCRAM-SHA-256`,
    );
  }
  const clientFirst = payloadText(command.payload);
  const clientFirstBare = clientFirst.replace(/^[^,]*,[^,]*,/, '');
  const attrs = attributes(clientFirstBare);
  const name = (attrs.get('n') ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=');
  const user = users.find((u) => u.user === name);
  const clientNonce = attrs.get('r');
  if (!user || !clientNonce) throw new AuthError('Authentication failed.');
  const nonce = clientNonce + randomBytes(24).toString('base64');
  const salt = randomBytes(16);
  const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${ITERATIONS}`;
  return {
    state: { user, clientFirstBare, serverFirst, nonce, salt },
    reply: {
      conversationId: 1,
      done: false,
      payload: new BSON.Binary(Buffer.from(serverFirst, 'utf8')),
      ok: 1,
    },
  };
}

export function scramContinue(state: ScramState, command: Doc): Doc {
  const clientFinal = payloadText(command.payload);
  const proofAt = clientFinal.lastIndexOf(',p=');
  if (proofAt < 0) throw new AuthError('Authentication failed.');
  const withoutProof = clientFinal.slice(0, proofAt);
  const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
  if (attributes(withoutProof).get('r') !== state.nonce)
    throw new AuthError('Authentication failed.');
  const salted = pbkdf2Sync(state.user.password, state.salt, ITERATIONS, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const expected = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  if (proof.length !== expected.length || !timingSafeEqual(proof, expected)) {
    throw new AuthError('Authentication failed.');
  }
  const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  return {
    conversationId: 1,
    done: true,
    payload: new BSON.Binary(Buffer.from(`v=${serverSignature}`, 'utf8')),
    ok: 1,
  };
}
