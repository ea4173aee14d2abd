/**
 * Builds the desktop app: main (src/main/electron/main.ts → out/main/index.js, ESM), the
 * sandboxed preload (src/preload/index.ts → out/preload/index.cjs, CommonJS, everything bundled
 * but `electron`) and the renderer (src/renderer → out/renderer, same settings as
 * vite.renderer.config.ts).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { METHOD_NAMES } from './src/shared/contract';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: resolve(here, 'out/main'),
      rollupOptions: {
        input: { index: resolve(here, 'src/main/electron/main.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    // The method list is generated from the contract here, so the preload bundles no zod.
    define: { __TASK_SCHEDULER_METHODS__: JSON.stringify(METHOD_NAMES) },
    build: {
      outDir: resolve(here, 'out/preload'),
      // Sandboxed preloads cannot require() packages: bundle everything except electron.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(here, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(here, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(here, 'out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves the renderer unminified by default; ship the same bundle as the browser.
      minify: true,
      sourcemap: false,
      rollupOptions: { input: resolve(here, 'src/renderer/index.html') },
    },
  },
});
