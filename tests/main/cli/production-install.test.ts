/**
 * A production install: the built app (out/) with only the run-time dependencies
 * (`npm ci --omit=dev`, what `npm prune --omit=dev` leaves) serves the API and the UI through
 * `npm run serve`, and never tries to build. Uses the npm registry (or npm's cache) once.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/serve-process';

let app: string;
beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'ts-production-'));
  for (const item of ['package.json', 'package-lock.json', 'bin', 'scripts', 'out']) {
    await cp(join(ROOT, item), join(app, item), { recursive: true });
  }
  const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: app,
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.stderr}`);
}, 120_000);
afterAll(async () => {
  await rm(app, { recursive: true, force: true });
});

function npmServe(): { out: () => string; listening: Promise<string>; stop: () => Promise<void> } {
  const npm = spawn('npm', ['run', '--silent', 'serve', '--', '--port', '0', '--store', 'memory'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TASK_SCHEDULER_TOKEN: '', TASK_SCHEDULER_PORT: '' },
  });
  let out = '';
  const exited = new Promise<void>((res) => npm.once('exit', () => res()));
  const listening = new Promise<string>((res, rej) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+\/)\n/.exec(out);
      if (match) res(match[1]!);
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    void exited.then(() => rej(new Error(`npm run serve exited:\n${out}`)));
  });
  return {
    out: () => out,
    listening,
    stop: async () => {
      npm.kill('SIGTERM');
      await exited;
    },
  };
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
    const service = npmServe();
    const url = await service.listening;
    try {
      expect(await (await fetch(`${url}api/health`)).json()).toEqual({ ok: true });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      expect(service.out()).not.toMatch(/building/);
    } finally {
      await service.stop();
    }
  });

  it('runs the existing build, saying so in one line, when sources are newer but cannot be built', async () => {
    await cp(join(ROOT, 'src', 'shared'), join(app, 'src', 'shared'), { recursive: true });
    const later = new Date(Date.now() + 60_000);
    await utimes(join(app, 'src', 'shared', 'domain.ts'), later, later);
    const service = npmServe();
    await service.listening;
    await service.stop();
    expect(service.out()).toMatch(
      /out\/server\/index\.js is older than its sources, but the build tools are not installed \(a production install\); running the existing build/,
    );
  });
});
