/**
 * MongoDB wire protocol framing for the stand-in: splits a TCP stream into messages, decodes
 * OP_MSG / OP_QUERY requests and encodes OP_MSG / OP_REPLY responses with the driver's own BSON.
 */
import { BSON } from 'mongodb';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const MSG_CHECKSUM_PRESENT = 1 << 0;
const MSG_MORE_TO_COME = 1 << 1;

export type Doc = Record<string, unknown>;

/** Values come back as plain JS numbers/Dates/RegExps so mingo can compare them. */
export const DESERIALIZE_OPTIONS: BSON.DeserializeOptions = {
  promoteValues: true,
  promoteLongs: true,
  promoteBuffers: false,
  bsonRegExp: false,
};

export interface Request {
  requestId: number;
  opCode: number;
  /** The command document; kind-1 sections are merged in under their identifier. */
  command: Doc;
  /** Database the command targets (`$db` for OP_MSG, the namespace prefix for OP_QUERY). */
  db: string;
  /** OP_MSG with moreToCome: the client expects no reply (w: 0 writes). */
  noReply: boolean;
}

/** Accumulates socket chunks and yields whole messages. */
export class MessageSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readInt32LE(0);
      if (length < 16 || length > 64 * 1024 * 1024) {
        throw new Error(`mongo-standin: invalid message length ${length}; closing the connection`);
      }
      if (this.buffer.length < length) break;
      messages.push(this.buffer.subarray(0, length));
      this.buffer = this.buffer.subarray(length);
    }
    return messages;
  }
}

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new Error('mongo-standin: unterminated cstring in message');
  return [buf.toString('utf8', offset, end), end + 1];
}

function readDocument(buf: Buffer, offset: number): [Doc, number] {
  const size = buf.readInt32LE(offset);
  const doc = BSON.deserialize(buf.subarray(offset, offset + size), DESERIALIZE_OPTIONS) as Doc;
  return [doc, offset + size];
}

export function decodeRequest(message: Buffer): Request {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) {
    const flags = message.readUInt32LE(16);
    const end = flags & MSG_CHECKSUM_PRESENT ? message.length - 4 : message.length;
    let offset = 20;
    let command: Doc | undefined;
    const sequences: Record<string, Doc[]> = {};
    while (offset < end) {
      const kind = message.readUInt8(offset);
      offset += 1;
      if (kind === 0) {
        [command, offset] = readDocument(message, offset);
      } else if (kind === 1) {
        const sectionEnd = offset + message.readInt32LE(offset);
        let identifier: string;
        [identifier, offset] = readCString(message, offset + 4);
        const docs: Doc[] = [];
        while (offset < sectionEnd) {
          let doc: Doc;
          [doc, offset] = readDocument(message, offset);
          docs.push(doc);
        }
        sequences[identifier] = docs;
      } else {
        throw new Error(`mongo-standin: unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!command) throw new Error('mongo-standin: OP_MSG without a body section');
    Object.assign(command, sequences);
    const db = typeof command.$db === 'string' ? command.$db : 'admin';
    return { requestId, opCode, command, db, noReply: (flags & MSG_MORE_TO_COME) !== 0 };
  }
  if (opCode === OP_QUERY) {
    // header + flags, then the namespace; numberToSkip and numberToReturn are ignored.
    const [ns, afterNs] = readCString(message, 20);
    const [query] = readDocument(message, afterNs + 8);
    // Legacy drivers wrap the command as { $query: {...}, $readPreference }.
    const command = (query.$query as Doc | undefined) ?? query;
    return { requestId, opCode, command, db: ns.split('.')[0] ?? 'admin', noReply: false };
  }
  throw new Error(
    `mongo-standin: opcode ${opCode} is not supported (only OP_MSG and OP_QUERY handshakes)`,
  );
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

export function encodeResponse(request: Request, reply: Doc): Buffer {
  const body = Buffer.from(BSON.serialize(reply));
  if (request.opCode === OP_QUERY) {
    const fields = Buffer.alloc(20); // responseFlags, cursorID (0), startingFrom, numberReturned
    fields.writeInt32LE(1, 16);
    const length = 16 + fields.length + body.length;
    return Buffer.concat([header(length, request.requestId, OP_REPLY), fields, body]);
  }
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  const length = 16 + prefix.length + body.length;
  return Buffer.concat([header(length, request.requestId, OP_MSG), prefix, body]);
}
