/**
 * Update documents as the stand-in applies them: `$`-operators (through mingo), pipelines and
 * whole replacements, with `_id` kept immutable; and the document an upsert inserts.
 */
import { updateOne } from 'mingo';
import { BSON } from 'mongodb';
import { badValue, CommandError } from './errors';
import { queryOptions } from './queries';
import type { StandinData } from './storage';
import { cloneDoc, isPlainObject, keyString, refuseScripts, setPath } from './values';
import type { Doc } from './wire';

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$bit',
  '$currentDate',
  '$setOnInsert',
]);

/** The document an update turns `old` into (a new object; `old` is never mutated). */
export function applyUpdate(
  data: StandinData,
  db: string,
  old: Doc,
  update: unknown,
  arrayFilters: unknown,
  condition: Doc,
  inserting: boolean,
): Doc {
  const options = queryOptions(data, db);
  const clone = cloneDoc(old);
  let next: Doc;
  if (Array.isArray(update)) {
    refuseScripts(update);
    const box = [clone];
    mingoUpdate(() => updateOne(box, {}, update as never, {}, options));
    next = box[0]!;
  } else if (isPlainObject(update)) {
    refuseScripts(update);
    const keys = Object.keys(update);
    const operators = keys.filter((k) => k.startsWith('$'));
    if (operators.length > 0 && operators.length < keys.length) {
      throw new CommandError(
        9,
        'FailedToParse',
        'mongo-standin: an update mixes operators and plain fields; use only $-operators or a whole replacement document',
      );
    }
    if (operators.length > 0) {
      const modifier: Doc = { ...update };
      for (const op of operators) {
        if (!UPDATE_OPERATORS.has(op)) {
          throw new CommandError(
            9,
            'FailedToParse',
            `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
          );
        }
      }
      if (isPlainObject(modifier.$setOnInsert)) {
        if (inserting) {
          modifier.$set = { ...(modifier.$set as Doc | undefined), ...modifier.$setOnInsert };
        }
      }
      delete modifier.$setOnInsert;
      if (Object.keys(modifier).length === 0) return clone;
      const box = [clone];
      mingoUpdate(() =>
        updateOne(
          box,
          inserting ? {} : (condition as never),
          modifier as never,
          Array.isArray(arrayFilters) ? { arrayFilters: arrayFilters as Doc[] } : {},
          options,
        ),
      );
      next = box[0]!;
    } else {
      const replacement = cloneDoc(update);
      if (
        replacement._id !== undefined &&
        old._id !== undefined &&
        keyString(replacement._id) !== keyString(old._id)
      ) {
        throw immutableId();
      }
      const { _id: _ignored, ...rest } = replacement;
      next = old._id === undefined ? replacement : { _id: old._id, ...rest };
    }
  } else {
    throw badValue('mongo-standin: the update must be a document or a pipeline (array)');
  }
  if (old._id !== undefined && keyString(next._id) !== keyString(old._id)) throw immutableId();
  return next;
}

/** The document an upsert inserts: equality fields of the query, then the update. */
export function upsertDoc(
  data: StandinData,
  db: string,
  query: Doc,
  update: unknown,
  arrayFilters: unknown,
): Doc {
  const seed: Doc = {};
  const visit = (condition: Doc): void => {
    for (const [key, value] of Object.entries(condition)) {
      if (key === '$and' && Array.isArray(value))
        value.forEach((c) => isPlainObject(c) && visit(c));
      if (key.startsWith('$')) continue;
      if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
        if ('$eq' in value) setPath(seed, key, value.$eq);
        continue;
      }
      setPath(seed, key, value);
    }
  };
  visit(query);
  let doc: Doc;
  if (isPlainObject(update) && !Object.keys(update).some((k) => k.startsWith('$'))) {
    const replacement = cloneDoc(update);
    doc =
      seed._id !== undefined && replacement._id === undefined
        ? { _id: seed._id, ...replacement }
        : replacement;
  } else {
    doc = applyUpdate(data, db, seed, update, arrayFilters, {}, true);
  }
  if (doc._id === undefined) doc = { _id: new BSON.ObjectId(), ...doc };
  else if (Object.keys(doc)[0] !== '_id') {
    const { _id, ...rest } = doc;
    doc = { _id, ...rest };
  }
  return doc;
}

/** mingo throws plain errors; give them the server's codes. */
function mingoUpdate(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/immutable/i.test(message) && message.includes('_id')) throw immutableId();
    throw badValue(message);
  }
}

function immutableId(): CommandError {
  return new CommandError(
    66,
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}
