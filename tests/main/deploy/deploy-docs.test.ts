/**
 * docs/deploy.md against the files it describes: the production steps it gives are the image's,
 * every script, variable and deploy file it names exists, and it says what was not tried.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/serve-process';
import {
  instructionsOf,
  npmScriptsIn,
  PACKAGE_SCRIPTS,
  parseDockerfile,
  readRepoFile,
  SERVICE_VARIABLES,
} from './deploy-files';

const doc = readRepoFile('docs/deploy.md');
const codeBlocks = [...doc.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The npm commands of a shell text, in order, without flags that only quiet npm. */
const npmSteps = (text: string): string[] =>
  [...text.matchAll(/\bnpm (?:ci|run [\w:-]+|prune(?: --omit=dev)?)/g)].map((m) => m[0]);

describe('docs/deploy.md', () => {
  it('gives as the production install the npm steps the Dockerfile runs, in its order', () => {
    const build = parseDockerfile(readRepoFile('Dockerfile'))[0]!;
    const imageSteps = npmSteps(
      instructionsOf(build, 'RUN')
        .map((i) => i.args)
        .join('\n'),
    );
    expect(imageSteps.length).toBeGreaterThanOrEqual(4);
    const section = codeBlocks.find((block) => block.includes('npm prune'))!;
    expect(npmSteps(section.replace(/#.*$/gm, ''))).toEqual(imageSteps);
  });

  it('names only npm scripts that package.json defines', () => {
    const scripts = npmScriptsIn(doc);
    expect(scripts).toEqual(expect.arrayContaining(['build:server', 'build:renderer']));
    for (const script of scripts) expect(Object.keys(PACKAGE_SCRIPTS)).toContain(script);
  });

  it('names only TASK_SCHEDULER_ variables that the service reads', () => {
    const named = new Set(doc.match(/\bTASK_SCHEDULER_[A-Z_]+\b/g));
    expect(named.size).toBeGreaterThan(3);
    for (const name of named) expect(SERVICE_VARIABLES).toContain(name);
  });

  it('names deploy files that exist, and is linked from the README', () => {
    const files = new Set(doc.match(/\bdeploy\/[\w.-]+\.(?:service|example|conf)\b/g));
    expect(files.size).toBe(3);
    for (const file of files) expect(existsSync(join(ROOT, file)), file).toBe(true);
    expect(readRepoFile('README.md')).toContain('(docs/deploy.md)');
  });

  it('says that no Docker engine was available to try the image', () => {
    expect(doc).toMatch(/No Docker engine was available/);
  });
});
