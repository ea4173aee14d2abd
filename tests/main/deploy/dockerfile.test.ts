/**
 * The Dockerfile, checked without a Docker engine (none runs on these machines): its commands
 * against the package scripts and builds, its variables against the flag parser, the paths it
 * copies against a built checkout, its health check and entry point run for real against the
 * built service, and its `npm prune --omit=dev` against what the service loads. The full
 * production install (`npm ci --omit=dev`, then `npm run serve`) is
 * tests/main/cli/production-install.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILDS } from '../../../scripts/builds.mjs';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';
import { killStarted, ROOT, startProcess } from '../../support/serve-process';
import {
  ignorePatterns,
  installedTree,
  instructionsOf,
  isIgnored,
  npmScriptsIn,
  PACKAGE_SCRIPTS,
  packagesTheServiceLoads,
  parseDockerfile,
  readRepoFile,
  RUNTIME_DEPENDENCIES,
  SERVICE_VARIABLES,
  stageEnv,
  STOP_BUDGET_MS,
  type DockerStage,
} from './deploy-files';

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const [build, runtime] = stages as [DockerStage, DockerStage];
const runs = instructionsOf(build, 'RUN').map((i) => i.args);
const runtimeEnv = stageEnv(runtime);
const exec = (keyword: string): string[] => instructionsOf(runtime, keyword).at(-1)?.exec ?? [];
const healthCheck = exec('HEALTHCHECK');
const [entryFile, ...entryArgs] = [...exec('ENTRYPOINT'), ...exec('CMD')].slice(1);
const workdir = instructionsOf(runtime, 'WORKDIR').at(-1)!.args;
/** The sources a path of the runtime stage came from, relative to the build stage's /app. */
const copiedFromBuild = instructionsOf(runtime, 'COPY')
  .filter((i) => i.args.startsWith('--from=build '))
  .flatMap((i) => i.args.split(/\s+/).slice(1, -1))
  .map((path) => path.replace(/^\/app\//, ''));

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ts-docker-data-'));
});
afterEach(killStarted);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The image's command as the container runs it, from the checkout, on a free loopback port. */
function startAsTheImageDoes(): ReturnType<typeof startProcess> {
  return startProcess(process.execPath, [join(ROOT, entryFile!), ...entryArgs], {
    env: {
      ...runtimeEnv,
      TASK_SCHEDULER_HOST: '127.0.0.1',
      TASK_SCHEDULER_PORT: '0',
      TASK_SCHEDULER_DATA_DIR: dataDir,
    },
  });
}

/** The HEALTHCHECK command exactly as written, for a service on `port`; its exit code. */
function runHealthCheck(port: string): number | null {
  const [command, ...args] = healthCheck;
  const result = spawnSync(command === 'node' ? process.execPath : command!, args, {
    env: { ...process.env, TASK_SCHEDULER_PORT: port },
    timeout: 10_000,
  });
  return result.status;
}

describe('the Dockerfile', () => {
  it('builds in one stage and runs from a second on the same base image, as a non-root user', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(runtime.from).toBe(build.from);
    expect(build.from).toMatch(/^node:20\b/);
    const user = instructionsOf(runtime, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('installs with npm ci, builds the service and the web UI, then prunes dev dependencies', () => {
    const order = ['npm ci', 'npm run build:server', 'npm run build:renderer', 'npm prune'];
    const at = order.map((step) => runs.findIndex((run) => run.includes(step)));
    expect(at.every((index) => index >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(runs.find((run) => run.includes('npm prune'))).toMatch(/npm prune --omit=dev\b/);
  });

  it('runs only npm scripts that package.json defines, and they build out/server and out/renderer', () => {
    const scripts = runs.flatMap(npmScriptsIn);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(Object.keys(PACKAGE_SCRIPTS)).toContain(script);
    const commands = scripts.map((script) => PACKAGE_SCRIPTS[script]!).join('\n');
    for (const { config } of Object.values(BUILDS))
      expect(commands).toContain(`--config ${config}`);
  });

  it('copies into the runtime stage paths that a built checkout has, the entry file among them', () => {
    expect(copiedFromBuild).toEqual(
      expect.arrayContaining(['package.json', 'node_modules', 'out']),
    );
    for (const path of copiedFromBuild) expect(existsSync(join(ROOT, path)), path).toBe(true);
    for (const { output } of Object.values(BUILDS)) {
      expect(copiedFromBuild.some((path) => output.startsWith(`${path}/`))).toBe(true);
    }
    expect(copiedFromBuild.some((path) => entryFile!.startsWith(`${path}/`))).toBe(true);
    expect(workdir).toBe('/app');
  });

  it('leaves installed and built things out of the build context, but not the sources it builds', () => {
    const patterns = ignorePatterns(readRepoFile('.dockerignore'));
    for (const path of ['node_modules', 'out', '.git', 'test-results', 'secret.key']) {
      expect(isIgnored(path, patterns), path).toBe(true);
    }
    const needed = [
      'package.json',
      'package-lock.json',
      'bin/task-scheduler.mjs',
      'scripts/builds.mjs',
      'src/renderer/index.html',
      ...Object.values(BUILDS).flatMap((b) => b.sources),
    ];
    for (const path of needed) expect(isIgnored(path, patterns), path).toBe(false);
  });

  it('sets only variables the service reads: every interface, its port exposed, the data dir a volume', () => {
    for (const name of Object.keys(runtimeEnv)) expect(SERVICE_VARIABLES).toContain(name);
    const settings = parseServeSettings(entryArgs.slice(1), runtimeEnv, '/nowhere');
    expect(settings).toMatchObject({
      host: '0.0.0.0',
      port: 8787,
      store: 'json',
      dataDir: '/data',
    });
    expect(exec('VOLUME')).toEqual([settings.dataDir]);
    expect(instructionsOf(runtime, 'EXPOSE').map((i) => i.args)).toEqual([String(settings.port)]);
    expect(entryArgs[0]).toBe('serve');
  });

  it('starts the built service with its entry point, passes its health check and stops on its stop signal', async () => {
    const service = startAsTheImageDoes();
    const [, port] = await service.line(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
    expect(healthCheck.join(' ')).toContain('/api/health');
    expect(runHealthCheck(port!)).toBe(0);
    const [, storeDir] = await service.line(/Store: json in (\S+)\. /);
    expect(storeDir).toBe(dataDir);
    const stopSignal = instructionsOf(runtime, 'STOPSIGNAL').at(-1)?.args as NodeJS.Signals;
    expect(stopSignal).toBe('SIGTERM');
    const stoppedAt = Date.now();
    service.child.kill(stopSignal);
    expect(await service.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(STOP_BUDGET_MS);
  });

  it('has a health check that fails when nothing answers on the port', async () => {
    const service = startAsTheImageDoes();
    const [, port] = await service.line(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
    service.child.kill('SIGTERM');
    await service.exited;
    expect(runHealthCheck(port!)).toBe(1);
  });

  it('prunes no package that the built service loads, nor anything those need', () => {
    const loaded = packagesTheServiceLoads();
    expect(loaded).toEqual(expect.arrayContaining(['mongodb', 'axios']));
    for (const name of loaded) expect(RUNTIME_DEPENDENCIES).toContain(name);
    // What `npm prune --omit=dev` keeps: the production tree, as npm itself computes it.
    const listing = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const kept = new Set(listing.stdout.split('\n').filter((line) => line !== ''));
    expect(kept).toContain(join(ROOT, 'node_modules', 'mongodb'));
    expect(kept).not.toContain(join(ROOT, 'node_modules', 'vite'));
    const needed = loaded.flatMap((name) => [...installedTree(name)]);
    expect(needed.filter((folder) => !kept.has(folder))).toEqual([]);
  });
});
