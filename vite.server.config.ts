/**
 * Builds the headless service and its command line (src/main/cli/main.ts) into one ES module,
 * out/server/index.js, run by plain `node` (no tsx at run time). Everything of ours is bundled, and
 * the small pure-JavaScript packages it loads at start (BUNDLED); the other `dependencies` stay
 * external (imported from node_modules at run time).
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(here, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
};
/**
 * Pure-JavaScript ES modules the service loads at start are bundled in: node's module loader costs
 * memory per file (zod from node_modules, ~90 files: +15 MB RSS over bare node; bundled: +7 MB), and
 * the idle service must stay ≤ 60 MB RSS (issue #19, bench/startup.ts). The other packages stay
 * external: native ones (better-sqlite3), and the drivers and clients loaded only on first use
 * (src/main/lazy-package.ts). pino (the logger, src/main/logging/) bundled costs 0.6 MB of idle RSS;
 * from node_modules it cost 5.5 MB once the first line was written (its transports, which load
 * worker files by path, are not used).
 */
const BUNDLED = new Set(['zod', 'croner', 'lowdb', 'date-fns', '@date-fns/tz']);
const external = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies ?? {}).filter((name) => !BUNDLED.has(name)),
];

export default defineConfig({
  build: {
    ssr: resolve(here, 'src/main/cli/main.ts'),
    outDir: resolve(here, 'out/server'),
    emptyOutDir: true,
    target: 'node20',
    // Minified: ~1 MB less idle RSS (the source V8 keeps, and parses), bench/startup.ts; the
    // source map maps stack traces back (node --enable-source-maps).
    minify: 'esbuild',
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
      output: { format: 'es', entryFileNames: 'index.js' },
    },
  },
  ssr: { noExternal: true },
  logLevel: 'warn',
});
