/**
 * Vitest global setup: builds the headless service (out/server/index.js) and the web UI when they
 * are missing or older than the sources, once, before any test starts a service process: the
 * process tests run the built entry, exactly what `npm run serve` runs.
 */
import { ensureBuilt } from '../../scripts/builds.mjs';
import { ROOT } from './serve-process';

export default function setup(): void {
  const problems = ensureBuilt(ROOT, ['server', 'renderer'], (line) => console.info(line));
  if (problems.length) throw new Error(`test setup: ${problems.join('\n')}`);
}
