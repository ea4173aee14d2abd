/**
 * `npm run bench`: runs every bench script in bench/ one after another (or the ones named on the
 * command line, e.g. `npm run bench -- scheduler json-store`) and prints their figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script} ===`);
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(here, script)],
    {
      stdio: 'inherit',
      env: process.env,
    },
  );
  if (result.status !== 0) {
    failed++;
    console.log(`bench/${script} exited with ${result.status ?? result.signal}`);
  }
}
if (scripts.length === 0) console.log(`No bench script matches ${wanted.join(', ')}`);
process.exitCode = failed ? 1 : 0;
