// Types of scripts/builds.mjs for the TypeScript test setups that import it.
export type BuildName = 'server' | 'renderer';
export declare const BUILDS: Record<
  BuildName,
  { output: string; config: string; sources: string[]; skip?: string[] }
>;
export declare function staleness(root: string, name: BuildName): string | undefined;
export declare function viteBin(root: string): string | undefined;
export declare function build(root: string, name: BuildName): { ok: boolean; output: string };
export declare function ensureBuilt(
  root: string,
  names: BuildName[],
  log: (line: string) => void,
): string[];
