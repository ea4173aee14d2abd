#!/usr/bin/env node
/**
 * Runs Electronegativity over the Electron layer (src/main/electron, src/preload) and fails on
 * any finding of high severity. Offline it warns that it cannot fetch Electron's release list;
 * the checks themselves run locally. Usage: node scripts/check-electron-security.mjs
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const targets = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['src/main/electron', 'src/preload'];
const work = mkdtempSync(join(tmpdir(), 'electronegativity-'));
let high = 0;
try {
  // One scan over a copy of all targets, so global checks (navigation limits…) see them together.
  const scan = join(work, 'scan');
  for (const target of targets) cpSync(target, join(scan, target), { recursive: true });
  for (const target of [scan]) {
    const out = join(work, 'report.csv');
    const run = spawnSync(
      process.execPath,
      [
        'node_modules/@doyensec/electronegativity/dist/index.js',
        '-i',
        target,
        '-o',
        out,
        '-s',
        'high',
        '-r',
        '-v',
        'false',
        '-e',
        '45.0.0',
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    if (run.status !== 0) {
      console.error(run.stdout, run.stderr);
      console.error(`check-electron-security: electronegativity failed on ${target}`);
      process.exit(2);
    }
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).filter(Boolean);
    const findings = rows.filter((row) => /"(HIGH|CRITICAL)"/.test(row));
    high += findings.length;
    console.log(
      `${targets.join(', ')}: ${rows.length} finding(s), ${findings.length} of high severity`,
    );
    for (const row of findings) console.log(`  ${row}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (high > 0) {
  console.error(
    `check-electron-security: ${high} high-severity finding(s); fix them before release`,
  );
  process.exit(1);
}
console.log('check-electron-security: no high-severity findings');
