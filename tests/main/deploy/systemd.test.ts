/**
 * deploy/task-scheduler.service and deploy/task-scheduler.env.example: the unit's command line
 * and the example environment go through the service's own flag parser, the hardening is in
 * place, and the command, run from this checkout, stops on the unit's kill signal well within
 * its stop timeout.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';
import { killStarted, ROOT, startProcess } from '../../support/serve-process';
import {
  durationMs,
  parseEnvFile,
  parseUnitFile,
  readRepoFile,
  SERVICE_VARIABLES,
  STOP_BUDGET_MS,
} from './deploy-files';

const unit = parseUnitFile(readRepoFile('deploy/task-scheduler.service'));
const service = unit.get('Service')!;
/** The one value of a `[Service]` key. */
const value = (key: string): string | undefined => service.get(key)?.at(-1);
const envFile = parseEnvFile(readRepoFile('deploy/task-scheduler.env.example'));
const [node, entry, ...args] = value('ExecStart')!.split(/\s+/) as [string, string, ...string[]];
const installDir = value('WorkingDirectory')!;
/** The unit's path of a file of the app, in this checkout. */
const inCheckout = (path: string): string => join(ROOT, path.slice(installDir.length + 1));

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ts-systemd-data-'));
});
afterEach(killStarted);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the systemd unit', () => {
  it('runs node itself on the built service, from the install folder, as a user of its own', () => {
    expect(node).toMatch(/^\/usr\/(local\/)?bin\/node$/);
    expect(entry.startsWith(`${installDir}/`)).toBe(true);
    expect(existsSync(inCheckout(entry))).toBe(true);
    expect(inCheckout(entry)).toBe(join(ROOT, 'out', 'server', 'index.js'));
    expect(args[0]).toBe('serve');
    expect(value('User')).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(value('User')).not.toBe('root');
  });

  it('reads the example environment file under its installed name', () => {
    const file = value('EnvironmentFile')!.replace(/^-/, '');
    expect(`${basename(file)}.example`).toBe('task-scheduler.env.example');
  });

  it('has a command line and environment that the service flag parser accepts', () => {
    const settings = parseServeSettings(args.slice(1), envFile.set, '/nowhere');
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      store: 'json',
      dataDir: '/var/lib/task-scheduler',
      token: envFile.set.TASK_SCHEDULER_TOKEN,
      allowedHosts: ['scheduler.example.org:443'],
    });
  });

  it('sets and offers in its environment file only variables the service reads', () => {
    const names = [...Object.keys(envFile.set), ...envFile.offered];
    expect(envFile.offered).toEqual(expect.arrayContaining(['TASK_SCHEDULER_SECRET_KEY']));
    for (const name of names) expect(SERVICE_VARIABLES).toContain(name);
    for (const name of service.get('Environment') ?? []) {
      expect(SERVICE_VARIABLES).toContain(name.split('=')[0]);
    }
  });

  it('makes the system read-only but for the data dir, which it creates for the user', () => {
    const { dataDir: unitDataDir } = parseServeSettings(args.slice(1), envFile.set, '/nowhere');
    expect(value('ProtectSystem')).toBe('strict');
    expect(value('ReadWritePaths')!.split(/\s+/)).toContain(unitDataDir);
    expect(`/var/lib/${value('StateDirectory')}`).toBe(unitDataDir);
    expect(value('StateDirectoryMode')).toBe('0700');
    expect(value('NoNewPrivileges')).toBe('yes');
    expect(value('PrivateTmp')).toBe('yes');
    expect(value('CapabilityBoundingSet')).toBe('');
    // V8 compiles to memory that is writable and executable.
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('restarts on failure, but not after bad flags (exit code 2)', () => {
    expect(value('Restart')).toBe('on-failure');
    expect(value('RestartPreventExitStatus')).toBe('2');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('stops the service with SIGTERM, giving it longer than a clean stop takes', async () => {
    expect(value('KillSignal')).toBe('SIGTERM');
    const timeoutMs = durationMs(value('TimeoutStopSec')!);
    expect(timeoutMs).toBeGreaterThan(STOP_BUDGET_MS);

    const started = startProcess(process.execPath, [inCheckout(entry), ...args], {
      cwd: ROOT,
      env: { ...envFile.set, TASK_SCHEDULER_PORT: '0', TASK_SCHEDULER_DATA_DIR: dataDir },
    });
    const [, url] = await started.line(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const [, tokenSource] = await started.line(/Access token: the one given by (\S+)/);
    expect(tokenSource).toBe('TASK_SCHEDULER_TOKEN');
    expect(await (await fetch(`${url}api/health`)).json()).toEqual({ ok: true });
    const stoppedAt = Date.now();
    started.child.kill(value('KillSignal') as NodeJS.Signals);
    expect(await started.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(timeoutMs);
  });
});
