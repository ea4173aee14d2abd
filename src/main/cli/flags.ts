/**
 * Flags of every command (`serve`, `export`, `import`), read with `node:util` `parseArgs`: one
 * table per command gives the parser its options and `--help` its lines, so the two never
 * disagree. Every mistake is a `UsageError` (exit code 2) whose message names the flag and says
 * what to type instead.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** Without the dashes: `port` for `--port`. */
  name: string;
  /** Placeholder of the value in help (`N`, `DIR`); absent for a switch that takes no value. */
  value?: string;
  /** A one-letter alias (`h` for `-h`). */
  short?: string;
  /** The environment variable read when the flag is not given. */
  env?: string;
  /** Shown in help, in parentheses. */
  default?: string;
  /** An example value, for "needs a value" messages. */
  example?: string;
  help: string;
}

/** What the user gave: flag name → its value (`true` for a switch). */
export type GivenFlags = Map<string, string | true>;

/**
 * Parses `argv` against `specs`; `where` prefixes messages (`serve`, `export`). Accepts
 * `--flag value` and `--flag=value`; refuses unknown flags, missing values, values given to a
 * switch, a flag given twice and stray arguments.
 */
export function parseFlags(
  where: string,
  argv: readonly string[],
  specs: readonly FlagSpec[],
): GivenFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const options = Object.fromEntries(
    specs.map((spec) => [
      spec.name,
      {
        type: spec.value ? ('string' as const) : ('boolean' as const),
        ...(spec.short ? { short: spec.short } : {}),
      },
    ]),
  );
  // Not strict: the tokens are checked below, so each mistake gets our own message.
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = (): string =>
    `known options: ${specs.map((s) => `--${s.name}`).join(', ')} (see --help)`;
  const given: GivenFlags = new Map();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw new UsageError(`${where}: unexpected argument "${token.value}"; ${known()}`);
    }
    if (token.kind !== 'option') continue; // `--` alone
    const spec = byName.get(token.name);
    if (!spec) throw new UsageError(`${where}: unknown option "${token.rawName}"; ${known()}`);
    if (given.has(spec.name)) {
      throw new UsageError(`${where}: --${spec.name} is given twice; give it once`);
    }
    if (!spec.value) {
      if (token.value !== undefined) {
        throw new UsageError(`${where}: --${spec.name} takes no value; write just --${spec.name}`);
      }
      given.set(spec.name, true);
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      throw new UsageError(
        `${where}: --${spec.name} needs a value, e.g. --${spec.name} ${spec.example ?? spec.value}`,
      );
    }
    given.set(spec.name, value);
  }
  return given;
}

/** A value from the flag, else from its environment variable (an empty variable is unset). */
export function readFlag(
  given: GivenFlags,
  spec: FlagSpec,
  env: NodeJS.ProcessEnv,
): { value: string; source: string } | undefined {
  const flag = given.get(spec.name);
  if (typeof flag === 'string') return { value: flag, source: `--${spec.name}` };
  const fromEnv = spec.env ? env[spec.env] : undefined;
  return fromEnv !== undefined && fromEnv !== ''
    ? { value: fromEnv, source: spec.env! }
    : undefined;
}

/** The help lines of a command's flags, in columns: flag, meaning, variable (default). */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => [
    `  ${s.short ? `-${s.short}, ` : ''}--${s.name}${s.value ? ` ${s.value}` : ''}`,
    s.help,
    [s.env, s.default !== undefined ? `(${s.default})` : undefined].filter(Boolean).join(' '),
  ]);
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)) + 2);
  return rows
    .map(([flag, help, extra]) =>
      `${flag!.padEnd(widths[0]!)}${extra ? `${help!.padEnd(widths[1]!)}${extra}` : help}`.trimEnd(),
    )
    .join('\n');
}
