/**
 * Standalone build of the renderer (browser mode, served by `npm run serve`): out/renderer with
 * relative asset paths, minified, printing the total bundle size.
 */
import { statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(here, 'out/renderer');

function sizeOf(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, e) =>
      sum + (e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}

const reportSize: Plugin = {
  name: 'report-bundle-size',
  closeBundle() {
    console.log(`renderer bundle: ${(sizeOf(outDir) / 1024).toFixed(1)} KiB in ${outDir}`);
  },
};

export default defineConfig({
  root: resolve(here, 'src/renderer'),
  base: './',
  plugins: [react(), reportSize],
  build: {
    outDir,
    emptyOutDir: true,
    minify: true,
    reportCompressedSize: true,
    sourcemap: false,
  },
});
