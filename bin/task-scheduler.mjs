#!/usr/bin/env node
// The launcher of `npm run serve` and `npx task-scheduler`: builds the headless service when it
// is missing or older than the sources (a dev checkout), then runs it in this very process, so
// signals from a terminal, npm or a supervisor reach the service itself and no child is left
// behind. The web UI is built (when stale) only once the flags are known to be good.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt } from '../scripts/builds.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line) => process.stderr.write(`${line}\n`);
const parentPid = process.ppid;

function fail(problems) {
  for (const problem of problems) log(`task-scheduler: ${problem}`);
  process.exit(1);
}

const problems = ensureBuilt(root, ['server'], log);
if (problems.length) fail(problems);

// npm runs scripts in the package folder; run in the folder the user typed the command in, so a
// relative --data-dir or --file means what they meant.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const { main } = await import(pathToFileURL(join(root, 'out', 'server', 'index.js')).href);
main(process.argv.slice(2), {
  // `npm run serve` runs us under a shell (npm → sh → node), and a supervisor's SIGTERM to npm
  // kills that shell without reaching us: the service then stops when its parent goes away.
  // Only under npm: a service started with nohup or by a supervisor stays put.
  ...(process.env.npm_lifecycle_event && process.platform !== 'win32'
    ? { stopWithParent: parentPid }
    : {}),
  beforeServe() {
    const uiProblems = ensureBuilt(root, ['renderer'], log);
    // The API works without the UI: say so and serve it anyway.
    for (const problem of uiProblems) log(`task-scheduler: ${problem}; serving the API only`);
  },
});
