/**
 * The command line's dispatch, in process: commands, --version, and the order of work (flags are
 * checked before the launcher's UI build runs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../../src/main/app';
import { runCli } from '../../../src/main/cli/main';
import { ROOT } from '../../support/serve-process';

function io(): { lines: string[]; out: (l: string) => void; err: (l: string) => void } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
}

describe('the command line', () => {
  it('reports the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
    for (const flag of ['--version', '-v']) {
      const cli = io();
      expect(await runCli(['serve', flag], {}, cli)).toBe(0);
      expect(cli.lines).toEqual([`task-scheduler ${pkg.version}`]);
    }
  });

  it('checks the flags before the UI build hook runs, and never runs it for bad flags or help', async () => {
    let builds = 0;
    const hooks = { beforeServe: (): void => void builds++ };
    for (const argv of [
      ['--port', 'nope'],
      ['--bogus'],
      ['--help'],
      ['export', '--file', 'x', '--port', '1'],
    ]) {
      const cli = io();
      const code = await runCli(argv, {}, cli, hooks);
      expect(code === 0 || code === 2, `${argv.join(' ')}: ${cli.lines.join('\n')}`).toBe(true);
    }
    expect(builds).toBe(0);
  });

  it('says which command is unknown and which exist', async () => {
    const cli = io();
    expect(await runCli(['start'], {}, cli)).toBe(2);
    expect(cli.lines[0]).toBe(
      'task-scheduler: unknown command "start"; use one of serve, export, import',
    );
  });
});
