/**
 * Packages loaded the first time they are used instead of at start-up. The idle service's memory
 * goal (≤ 60 MB RSS, issue #19) cannot hold every driver: loading `axios` costs about 12 MB of RSS,
 * `iconv-lite` several, `mongodb` about 13 (bench/startup.ts measures the total). A service that
 * never sends through a proxy, never decodes a legacy charset or never talks to MongoDB does not
 * pay for them.
 *
 * `require` (through `createRequire`) rather than `import()` keeps the callers synchronous: these
 * packages are CommonJS, and the places that need them (a charset decode, an HTTP client built in
 * a constructor) are synchronous. Types come from `import type`, so nothing is loaded at compile
 * time either.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A function that loads `name` on its first call and returns the same module on every call. */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return (): T => (loaded ??= requireHere(name) as T);
}
