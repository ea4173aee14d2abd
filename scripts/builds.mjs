// Which built parts of the headless app are missing or older than their sources, and building
// them with the project's own Vite configs. Used by the launcher (bin/task-scheduler.mjs) and the
// test setups, so tests run exactly what `npm run serve` runs. Plain JavaScript: it must run
// before anything is built.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** @type {Record<string, { output: string, config: string, sources: string[], skip?: string[] }>} */
export const BUILDS = {
  server: {
    output: 'out/server/index.js',
    config: 'vite.server.config.ts',
    sources: ['src/main', 'src/shared', 'vite.server.config.ts', 'package.json'],
    skip: ['src/main/electron'],
  },
  renderer: {
    output: 'out/renderer/index.html',
    config: 'vite.renderer.config.ts',
    sources: ['src/renderer', 'src/shared', 'vite.renderer.config.ts'],
  },
};

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time under `path` (a file or a folder); 0 when it does not exist. */
function newest(root, path, skip) {
  const full = join(root, path);
  if (skip.includes(path)) return 0;
  let entries;
  try {
    entries = readdirSync(full, { withFileTypes: true });
  } catch {
    return mtimeMs(full) ?? 0;
  }
  let max = 0;
  for (const entry of entries) {
    const child = `${path}/${entry.name}`;
    max = Math.max(
      max,
      entry.isDirectory() ? newest(root, child, skip) : (mtimeMs(join(root, child)) ?? 0),
    );
  }
  return max;
}

/**
 * Why `name` needs building ('missing', 'older than its sources'), or undefined when it is
 * up to date. Without sources (an installed package), a present build is up to date.
 */
export function staleness(root, name) {
  const build = BUILDS[name];
  const built = mtimeMs(join(root, build.output));
  if (built === undefined) return 'missing';
  const sources = Math.max(...build.sources.map((s) => newest(root, s, build.skip ?? [])));
  return sources > built ? 'older than its sources' : undefined;
}

/** Vite's command-line script, or undefined where dev dependencies are not installed. */
export function viteBin(root) {
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('vite/package.json');
    return join(dirname(pkg), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

/** Builds `name`; returns the build's output (empty when it succeeded quietly) and status. */
export function build(root, name) {
  const vite = viteBin(root);
  if (!vite) return { ok: false, output: 'vite is not installed (a production install)' };
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', BUILDS[name].config, '--logLevel', 'warn'],
    // Always a production build: under vitest NODE_ENV is "test", and an inherited value other
    // than "production" makes vite bundle React's development build (2–3× slower UI).
    { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * Builds every part in `names` that is missing or stale, saying so in one line each through
 * `log`. Returns the problems that leave a part unusable (empty when all can run).
 */
export function ensureBuilt(root, names, log) {
  const problems = [];
  for (const name of names) {
    const why = staleness(root, name);
    if (!why) continue;
    const { output, config } = BUILDS[name];
    if (!viteBin(root)) {
      if (why === 'missing') {
        problems.push(
          `${output} is missing and the build tools are not installed; run "npm ci && npm run build" first`,
        );
      } else {
        log(
          `task-scheduler: ${output} is ${why}, but the build tools are not installed (a production install); running the existing build`,
        );
      }
      continue;
    }
    log(`task-scheduler: ${output} is ${why}; building it (vite build --config ${config})…`);
    const result = build(root, name);
    if (!result.ok) problems.push(`building ${output} failed:\n${result.output}`);
  }
  return problems;
}
