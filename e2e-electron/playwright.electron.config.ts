/** Playwright config for the desktop end-to-end test: npx playwright test -c e2e-electron/playwright.electron.config.ts */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.e2e\.ts$/,
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
});
