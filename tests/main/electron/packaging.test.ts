import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown;
};

type BuilderConfig = Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  win: { target: string[] };
  mac: { target: string[] };
  linux: { target: string[] };
  icon: string;
  files: string[];
};

async function builderConfig(): Promise<BuilderConfig> {
  return yaml.load(await fs.readFile('electron-builder.yml', 'utf8')) as BuilderConfig;
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('packaging configuration', () => {
  it('passes electron-builder’s own schema validation', async () => {
    await expect(
      validateConfiguration(await builderConfig(), new DebugLogger(false)),
    ).resolves.toBeUndefined();
  });

  it('targets nsis, dmg, AppImage and deb with the app icon', async () => {
    const config = await builderConfig();
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.icon).toBe('resources/icon.png');
    expect(config.files).toContain('resources/icon.png');
    expect(pngSize(await fs.readFile('resources/icon.png'))).toEqual({ width: 512, height: 512 });
    expect(pngSize(await fs.readFile('resources/icon-256.png'))).toEqual({
      width: 256,
      height: 256,
    });
  });

  it('turns off RunAsNode, NODE_OPTIONS and inspect arguments and turns on asar integrity', async () => {
    expect((await builderConfig()).electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('points package.json main at the built main bundle', async () => {
    const pkg = JSON.parse(await fs.readFile('package.json', 'utf8')) as { main: string };
    expect(pkg.main).toBe('./out/main/index.js');
    const config = await fs.readFile('electron.vite.config.ts', 'utf8');
    expect(config).toContain("input: { index: resolve(here, 'src/main/electron/main.ts') }");
    expect(config).toContain("format: 'cjs', entryFileNames: '[name].cjs'");
  });
});

describe('static security check', () => {
  it('finds no high-severity issue in the Electron layer', () => {
    const run = spawnSync(process.execPath, ['scripts/check-electron-security.mjs'], {
      encoding: 'utf8',
    });
    expect(run.stdout).toContain('no high-severity findings');
    expect(run.status).toBe(0);
  }, 120_000);

  it('flags an insecure window configuration', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-eneg-'));
    try {
      await fs.writeFile(
        path.join(dir, 'bad.js'),
        "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, webSecurity: false } });\n",
      );
      const run = spawnSync(process.execPath, ['scripts/check-electron-security.mjs', dir], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/NODE_INTEGRATION|CONTEXT_ISOLATION|WEB_SECURITY/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
