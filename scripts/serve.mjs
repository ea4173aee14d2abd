// Launcher for `npm run serve -- <flags>`: builds the web UI when it is missing, then runs the
// headless service (src/main/server/serve.ts) under tsx, forwarding signals and the exit code.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const wantsHelp = args.includes('--help') || args.includes('-h');

if (
  !wantsHelp &&
  process.env.TASK_SCHEDULER_SKIP_BUILD !== '1' &&
  !existsSync(join(root, 'out', 'renderer', 'index.html'))
) {
  if (existsSync(join(root, 'vite.renderer.config.ts'))) {
    console.log('serve: the web UI is not built yet; building it (npm run build:renderer)…');
    const build = spawnSync('npx', ['vite', 'build', '--config', 'vite.renderer.config.ts'], {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    if (build.status !== 0) {
      console.error(
        'serve: building the web UI failed (see above); starting the service anyway, the API works without it.',
      );
    }
  } else {
    console.log(
      'serve: the web UI is not built and vite.renderer.config.ts does not exist yet; starting the API only.',
    );
  }
}

// Absolute paths, so the service runs in the caller's folder (npm sets INIT_CWD to it) and a
// relative --data-dir means what the user typed.
const tsx = import.meta.resolve('tsx');
const entry = join(root, 'src', 'main', 'server', 'serve.ts');
const child = spawn(process.execPath, ['--import', tsx, entry, ...args], {
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdio: 'inherit',
  // Its own process group: Ctrl+C reaches the service once, through us, not also from the terminal.
  detached: process.platform !== 'win32',
});

// npm forwards a terminal Ctrl+C to us as well, so the same signal can arrive twice at once; a
// repeat within a second is that echo, not the user asking to force the exit.
let last = { signal: '', at: 0 };
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = Date.now();
    if (last.signal === signal && now - last.at < 1000) return;
    last = { signal, at: now };
    if (child.exitCode === null) child.kill(signal);
  });
}

child.on('error', (error) => {
  console.error(`serve: could not start the service: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
