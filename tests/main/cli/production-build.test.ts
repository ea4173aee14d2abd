/**
 * The builds the launcher and the test setup make (scripts/builds.mjs) are production builds,
 * even from a process whose NODE_ENV is something else (vitest sets "test"): the web UI never
 * ships React's development build.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/serve-process';

describe('the web UI the tests and the launcher build', () => {
  it('is a production build although this process runs with NODE_ENV=test', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    const assets = join(ROOT, 'out', 'renderer', 'assets');
    const scripts = (await readdir(assets)).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) {
      const code = await readFile(join(assets, name), 'utf8');
      // React's development JSX runtime and its dev-only warnings.
      expect(code, name).not.toMatch(/jsxDEV|Each child in a list should have a unique "key"/);
    }
  });
});
