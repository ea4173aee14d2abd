/**
 * Readers of the deployment files (Dockerfile, .dockerignore, docker-compose.yml, the systemd
 * unit and its environment file) for the tests next to this one, and the facts about the service
 * they are checked against: its npm scripts, the variables it reads and the packages it loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { SERVE_FLAGS } from '../../../src/main/cli/serve-flags';
import { SECRET_KEY_ENV } from '../../../src/main/secrets/file-key-codec';
import { settingsSchema } from '../../../src/shared/domain';
import { ROOT, SERVE } from '../../support/serve-process';

export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const packageJson = JSON.parse(readRepoFile('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
export const PACKAGE_SCRIPTS: Readonly<Record<string, string>> = packageJson.scripts;
export const RUNTIME_DEPENDENCIES: readonly string[] = Object.keys(packageJson.dependencies);

/** The `npm run <script>` names a shell command line uses. */
export function npmScriptsIn(command: string): string[] {
  return [...command.matchAll(/\bnpm\s+run(?:\s+-{1,2}[\w-]+)*\s+([\w:.-]+)/g)].map((m) => m[1]!);
}

/** Every environment variable the service reads: its flags' variables and the secrets key. */
export const SERVICE_VARIABLES: ReadonlySet<string> = new Set([
  ...SERVE_FLAGS.flatMap((flag) => (flag.env ? [flag.env] : [])),
  SECRET_KEY_ENV,
]);

/** How long a stop takes at most: the tasks' default grace period plus 2 s for open requests. */
export const STOP_BUDGET_MS = settingsSchema.parse({}).shutdownGraceMs + 2_000;

/** A `30s`, `1min 30s` or `45` (seconds) duration, as systemd and Compose write it, in ms. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, sec: 1_000, m: 60_000, min: 60_000 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)\s*([a-z]*)/g)) {
    total += Number(amount) * (units[unit || 's'] ?? Number.NaN);
  }
  return total;
}

export interface DockerInstruction {
  keyword: string;
  /** The arguments as written (continuation lines joined). */
  args: string;
  /** The arguments in exec (JSON array) form, when written so. */
  exec?: string[];
}

export interface DockerStage {
  name: string;
  from: string;
  instructions: DockerInstruction[];
}

/** The stages of a Dockerfile, `ARG` defaults substituted into `FROM`. */
export function parseDockerfile(text: string): DockerStage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const args = new Map<string, string>();
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction: DockerInstruction = { keyword: keyword.toUpperCase(), args: rest };
    const json = /^(?:--\S+\s+)*(?:CMD\s+)?(\[.*\])$/.exec(rest);
    if (json) instruction.exec = JSON.parse(json[1]!) as string[];
    if (instruction.keyword === 'FROM') {
      const [image = '', , name = `stage${stages.length}`] = rest.split(/\s+/);
      const from = image.replace(/\$\{(\w+)\}/g, (_, arg: string) => args.get(arg) ?? '');
      stages.push({ name, from, instructions: [] });
    } else if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The instructions of a stage with this keyword. */
export const instructionsOf = (stage: DockerStage, keyword: string): DockerInstruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);

/** The variables a stage's `ENV` instructions set (`K=V`, several per instruction). */
export function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructionsOf(stage, 'ENV')) {
    for (const [, name, value] of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) {
      env[name!] = value!.replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** The patterns of a .dockerignore (or .gitignore-like) file. */
export const ignorePatterns = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/**
 * Whether a path of the build context is left out by one of `patterns`, with Docker's rules:
 * patterns match from the context's root (`*` within a segment, `**` across segments), and a
 * matched folder leaves out everything in it.
 */
export function isIgnored(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const source = pattern
      .replace(/^\//, '')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*/g, '\0')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replaceAll('\0', '.*');
    return new RegExp(`^${source}(/|$)`).test(path);
  });
}

/** The sections of a systemd unit: section → key → every value given (in order). */
export function parseUnitFile(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const [, key = '', value = ''] = /^([^=]+?)\s*=\s*(.*)$/.exec(line) ?? [];
    current?.set(key, [...(current.get(key) ?? []), value]);
  }
  return sections;
}

export interface EnvFile {
  /** The variables the file sets. */
  set: Record<string, string>;
  /** The names of variables offered in commented-out lines (`#NAME=…`). */
  offered: string[];
}

/** An environment file as systemd's `EnvironmentFile=` reads it (no quoting used here). */
export function parseEnvFile(text: string): EnvFile {
  const set: Record<string, string> = {};
  const offered: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const commented = /^#([A-Z][A-Z0-9_]*)=/.exec(line);
    if (commented) offered.push(commented[1]!);
    const assignment = /^([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (assignment) set[assignment[1]!] = assignment[2]!;
  }
  return { set, offered };
}

/**
 * The packages the built service loads (`out/server/index.js`): its static imports, its
 * `import("…")` of drivers on first use and its `lazyPackage("…")` requires; no built-ins.
 */
export function packagesTheServiceLoads(): string[] {
  const bundle = readFileSync(SERVE, 'utf8');
  const specifiers = [
    ...bundle.matchAll(/^import\s[^;]*?from\s+["']([^"']+)["']/gm),
    ...bundle.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    // `lazyPackage("…")` requires: the bundle is minified, so any call with a package's name.
    ...[...bundle.matchAll(/\(\s*["']([^"'./][^"']*)["']\s*\)/g)].filter((m) =>
      RUNTIME_DEPENDENCY_NAMES.has(packageOf(m[1]!)),
    ),
  ].map((m) => m[1]!);
  const builtins = new Set(builtinModules);
  const names = specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s.split('/')[0]!))
    .map(packageOf);
  return [...new Set(names)].sort();
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

const RUNTIME_DEPENDENCY_NAMES = new Set(
  Object.keys(
    (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      }
    ).dependencies ?? {},
  ),
);

/** Node's lookup of `<pkg>/package.json` in the node_modules folders from `dir` up. */
function findPackage(pkg: string, dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', pkg, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * The folders of `name` and of every package it needs at run time, as installed in node_modules
 * (found the way Node finds each from the package that needs it).
 */
export function installedTree(name: string): Set<string> {
  const found = new Set<string>();
  const visit = (pkg: string, from: string): void => {
    const manifestPath = findPackage(pkg, from);
    if (!manifestPath) return; // an optional dependency not installed on this platform
    const folder = dirname(manifestPath);
    if (found.has(folder)) return;
    found.add(folder);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, folder);
  };
  visit(name, ROOT);
  return found;
}
