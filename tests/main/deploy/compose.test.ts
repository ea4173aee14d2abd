/**
 * docker-compose.yml, checked without a Docker engine: two or more instances of the image on one
 * MongoDB replica set, with the same secrets key, environments the service's flag parser
 * accepts, a port and a data volume each. That such instances run each slot once is
 * tests/main/cli/multi-instance-serve.test.ts.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseServeSettings } from '../../../src/main/cli/serve-flags';
import {
  durationMs,
  instructionsOf,
  parseDockerfile,
  readRepoFile,
  SERVICE_VARIABLES,
  stageEnv,
  STOP_BUDGET_MS,
} from './deploy-files';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface ComposeService {
  build?: string | { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}

const compose = yaml.load(readRepoFile('docker-compose.yml')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(compose.services);
const instances = services.filter(([, s]) => s.build !== undefined);
const runtime = parseDockerfile(readRepoFile('Dockerfile')).at(-1)!;
const imageEnv = stageEnv(runtime);

/** The values Compose reads from `.env` in these tests (a key is 32 bytes in base64). */
const DOT_ENV: Record<string, string> = {
  TASK_SCHEDULER_TOKEN: 'compose-test-token',
  TASK_SCHEDULER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` with `vars`; missing required → throws. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind, rest: string) => {
    const given = vars[name];
    if (given !== undefined && given !== '') return given;
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return kind === '-' ? rest : '';
  });
}

/** An instance's environment as its container sees it: the image's, then the file's. */
function containerEnv(service: ComposeService, vars = DOT_ENV): Record<string, string> {
  const env = { ...imageEnv };
  for (const [name, value] of Object.entries(service.environment ?? {})) {
    env[name] = interpolate(String(value), vars);
  }
  return env;
}

const settingsOf = (service: ComposeService): ReturnType<typeof parseServeSettings> =>
  parseServeSettings(service.command?.slice(1) ?? [], containerEnv(service), '/nowhere');

describe('docker-compose.yml', () => {
  it('runs two or more instances built from the Dockerfile, on the MongoDB service', () => {
    expect(instances.length).toBeGreaterThanOrEqual(2);
    for (const [, service] of instances) {
      const context = typeof service.build === 'string' ? service.build : service.build!.context;
      expect(context).toBe('.');
      expect(service.depends_on?.mongo?.condition).toBe('service_healthy');
    }
    expect(compose.services.mongo?.image).toMatch(/^mongo:\d/);
  });

  it('gives every instance the mongodb store, one database and the same secrets key', () => {
    const settings = instances.map(([, s]) => settingsOf(s));
    const envs = instances.map(([, s]) => containerEnv(s));
    for (const s of settings) expect(s.store).toBe('mongodb');
    expect(new Set(settings.map((s) => s.mongoUri)).size).toBe(1);
    expect(new URL(settings[0]!.mongoUri!).hostname).toBe('mongo');
    expect(new Set(envs.map((e) => e.TASK_SCHEDULER_SECRET_KEY))).toEqual(
      new Set([DOT_ENV.TASK_SCHEDULER_SECRET_KEY]),
    );
  });

  it('refuses to start an instance without the token and the key in .env', () => {
    const [, first] = instances[0]!;
    expect(() => containerEnv(first, { ...DOT_ENV, TASK_SCHEDULER_SECRET_KEY: '' })).toThrow(
      /TASK_SCHEDULER_SECRET_KEY/,
    );
    expect(() => containerEnv(first, { ...DOT_ENV, TASK_SCHEDULER_TOKEN: '' })).toThrow(
      /TASK_SCHEDULER_TOKEN/,
    );
  });

  it('sets only variables the service reads', () => {
    for (const [, service] of instances) {
      for (const name of Object.keys(service.environment ?? {})) {
        expect(SERVICE_VARIABLES).toContain(name);
      }
    }
  });

  it('publishes each instance on loopback, on the port it listens on, no two alike', () => {
    const published = instances.map(([name, service]) => {
      const { port } = settingsOf(service);
      expect(service.ports, name).toEqual([`127.0.0.1:${port}:${port}`]);
      return port;
    });
    expect(new Set(published).size).toBe(instances.length);
  });

  it('mounts a volume of its own at the image data dir for each instance', () => {
    const dataDir = instructionsOf(runtime, 'VOLUME')[0]!.exec![0];
    const volumes = instances.map(([, service]) => {
      expect(settingsOf(service).dataDir).toBe(dataDir);
      const [volume, target] = service.volumes![0]!.split(':');
      expect(target).toBe(dataDir);
      expect(Object.keys(compose.volumes)).toContain(volume);
      return volume;
    });
    expect(new Set(volumes).size).toBe(instances.length);
  });

  it('runs MongoDB as the replica set the instances connect to, healthy once it is primary', () => {
    const mongo = compose.services.mongo!;
    const replSet = mongo.command![mongo.command!.indexOf('--replSet') + 1];
    const uri = new URL(settingsOf(instances[0]![1]).mongoUri!);
    expect(uri.searchParams.get('replicaSet')).toBe(replSet);
    const check = mongo.healthcheck!.test.join(' ');
    expect(check).toContain(`_id: '${replSet}'`);
    expect(check).toContain('isWritablePrimary');
  });

  it('gives each instance longer to stop than a clean stop takes', () => {
    for (const [, service] of instances) {
      expect(durationMs(service.stop_grace_period!)).toBeGreaterThan(STOP_BUDGET_MS);
    }
  });
});
