/**
 * A production install: the built app (out/) with only the run-time dependencies
 * (`npm ci --omit=dev`, what `npm prune --omit=dev` leaves) serves the API and the UI through
 * `npm run serve`, and never tries to build. Uses the npm registry (or npm's cache) once.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, killStarted, npmServe, ROOT, type Proc } from '../../support/serve-process';

let app: string;
beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'ts-production-'));
  for (const item of ['package.json', 'package-lock.json', 'bin', 'scripts', 'out']) {
    await cp(join(ROOT, item), join(app, item), { recursive: true });
  }
  // Without install scripts: the one run-time package with a native part, better-sqlite3, would
  // compile from source here (no prebuilt binary offline, ~100 s of CPU). Its binary is taken from
  // the dev install instead (same Node), as `npm prune --omit=dev` keeps the one `npm ci` built.
  const install = spawnSync(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
    { cwd: app, encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
  const native = join('node_modules', 'better-sqlite3', 'build');
  await cp(join(ROOT, native), join(app, native), { recursive: true });
}, 180_000);
afterEach(killStarted);
afterAll(async () => {
  await rm(app, { recursive: true, force: true });
});

const LISTENING = /listening on (http:\/\/\S+\/)\n/;
const serveHere = (): Proc => npmServe(['--port', '0', '--store', 'memory'], { cwd: app });
/** SIGTERM to the whole group (npm, its shell, the service), as a supervisor stops it. */
async function stop(service: Proc): Promise<void> {
  process.kill(-service.child.pid!, 'SIGTERM');
  await expect.poll(() => groupMembers(service.child.pid!).size, { timeout: 10_000 }).toBe(0);
  await expect.poll(() => service.out(), { timeout: 5_000 }).toContain('Task Scheduler stopped.');
}

describe('a production install', () => {
  it('has no build tools and no renderer packages, only the run-time dependencies', async () => {
    const installed = await readdir(join(app, 'node_modules'));
    for (const dev of ['vite', 'tsx', 'typescript', 'react', 'react-dom', 'zustand', 'electron']) {
      expect(installed).not.toContain(dev);
    }
    expect(installed).toEqual(expect.arrayContaining(['mongodb', 'zod', 'croner', 'lowdb']));
  });

  it('serves the API and the web UI with npm run serve, building nothing', async () => {
    const service = serveHere();
    const [, url] = await service.line(LISTENING);
    expect(await (await fetch(`${url}api/health`)).json()).toEqual({ ok: true });
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    await stop(service);
    expect(service.out() + service.err()).not.toMatch(/building/);
  });

  it('runs the existing build, saying so in one line, when sources are newer but cannot be built', async () => {
    await cp(join(ROOT, 'src', 'shared'), join(app, 'src', 'shared'), { recursive: true });
    const later = new Date(Date.now() + 60_000);
    await utimes(join(app, 'src', 'shared', 'domain.ts'), later, later);
    const service = serveHere();
    await service.line(LISTENING);
    await stop(service);
    expect(service.err()).toMatch(
      /out\/server\/index\.js is older than its sources, but the build tools are not installed \(a production install\); running the existing build/,
    );
  });
});
