/**
 * The stand-in's cursors: the first batch of a reply, the rest kept by id for `getMore` until
 * it is used up or `killCursors` ends it. A restarted server forgets them all.
 */
import { BSON } from 'mongodb';
import { MAX_BSON_OBJECT_SIZE, type ConnectionState } from './context';
import { CommandError } from './errors';
import type { Doc } from './wire';

const DEFAULT_BATCH_SIZE = 101;
/** Leave room for the reply envelope around a batch. */
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024;

interface CursorState {
  ns: string;
  docs: Doc[];
  pos: number;
  connectionId: number;
}

function takeBatch(docs: Doc[], start: number, batchSize: number): Doc[] {
  const batch: Doc[] = [];
  let bytes = 0;
  for (let i = start; i < docs.length && batch.length < batchSize; i++) {
    const doc = docs[i]!;
    const size = BSON.calculateObjectSize(doc);
    if (batch.length > 0 && bytes + size > BATCH_BYTES) break;
    batch.push(doc);
    bytes += size;
  }
  return batch;
}

export class Cursors {
  private readonly cursors = new Map<number, CursorState>();
  private nextCursorId = 1;

  get size(): number {
    return this.cursors.size;
  }

  /** Forgets every cursor. */
  clear(): void {
    this.cursors.clear();
  }

  /** A `{ cursor: { firstBatch, id, ns } }` reply; keeps the rest when more than one batch. */
  reply(
    ns: string,
    docs: Doc[],
    batchSize: unknown,
    singleBatch: boolean,
    conn: ConnectionState,
  ): Doc {
    const size = typeof batchSize === 'number' && batchSize > 0 ? batchSize : DEFAULT_BATCH_SIZE;
    const firstBatch = takeBatch(docs, 0, size);
    let id = 0;
    if (!singleBatch && firstBatch.length < docs.length) {
      id = this.nextCursorId++;
      this.cursors.set(id, { ns, docs, pos: firstBatch.length, connectionId: conn.id });
    }
    return { cursor: { firstBatch, id: BSON.Long.fromNumber(id), ns }, ok: 1 };
  }

  getMore(cmd: Doc): Doc {
    const id = Number(cmd.getMore);
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    const size =
      typeof cmd.batchSize === 'number' && cmd.batchSize > 0
        ? cmd.batchSize
        : Number.MAX_SAFE_INTEGER;
    const nextBatch = takeBatch(cursor.docs, cursor.pos, size);
    cursor.pos += nextBatch.length;
    const exhausted = cursor.pos >= cursor.docs.length;
    if (exhausted) this.cursors.delete(id);
    return {
      cursor: { nextBatch, id: BSON.Long.fromNumber(exhausted ? 0 : id), ns: cursor.ns },
      ok: 1,
    };
  }

  killCursors(cmd: Doc): Doc {
    const ids = Array.isArray(cmd.cursors) ? cmd.cursors.map(Number) : [];
    const killed: BSON.Long[] = [];
    const notFound: BSON.Long[] = [];
    for (const id of ids) {
      (this.cursors.delete(id) ? killed : notFound).push(BSON.Long.fromNumber(id));
    }
    return {
      cursorsKilled: killed,
      cursorsNotFound: notFound,
      cursorsAlive: [],
      cursorsUnknown: [],
      ok: 1,
    };
  }
}
