/**
 * What an export file does with configuration secrets, and how an import reads them back.
 *
 * - `sealed` (the default for an `EncryptingStore`): the ciphertext exactly as stored; only a store
 *   with the same key opens it on import.
 * - `omitted` (the default for a store without a codec): every secret replaced by `REDACTED`; an
 *   import keeps the secret already stored under the same id, else the marker stays (re-enter).
 * - `clear` (`includeSecrets`): plaintext, as a backup to keep private.
 *
 * The secret fields are those of `mapSecretFields` (the ones `EncryptingStore` seals).
 */
import type { ExportSecrets } from '../../shared/contract';
import { REDACTED, type Configuration } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { restoreSecrets } from '../../shared/secrets';
import { isCiphertext } from '../secrets/codec';
import { EncryptingStore, mapSecretFields } from '../secrets/encrypting-store';
import type { Store } from './types';

export const SECRET_KINDS = [
  'sealed',
  'omitted',
  'clear',
] as const satisfies readonly ExportSecrets[];

/** Names shown in one sentence at most; the rest are counted. */
const NAMES_SHOWN = 10;

/** Every secret value of the configuration, as it is. */
function secretValuesOf(config: Configuration): string[] {
  const values: string[] = [];
  mapSecretFields(config, (v) => {
    values.push(v);
    return v;
  });
  return values;
}

function hasSecrets(config: Configuration): boolean {
  return secretValuesOf(config).length > 0;
}

/** `configuration "a"` / `configurations "a", "b" and 3 more`. */
export function nameConfigs(configs: readonly Configuration[]): string {
  const shown = configs.slice(0, NAMES_SHOWN).map((c) => `"${c.name}"`);
  const more = configs.length - shown.length;
  const label = configs.length === 1 ? 'configuration' : 'configurations';
  return `${label} ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

export interface ExportedConfigs {
  configs: Configuration[];
  secrets: ExportSecrets;
  /** For `sealed`: the codec's description (what protects the values; no key material). */
  sealedWith?: string;
  notes: string[];
}

/** The configurations as an export writes them, with the notes for the user. */
export async function configsForExport(
  store: Store,
  includeSecrets: boolean,
): Promise<ExportedConfigs> {
  if (includeSecrets) {
    const configs = await store.listConfigs();
    const withSecrets = configs.filter(hasSecrets);
    return {
      configs,
      secrets: 'clear',
      notes: [
        `The file holds secrets in clear${withSecrets.length ? ` (of ${nameConfigs(withSecrets)})` : ''}: keep it private; it is readable only by its owner (mode 0600).`,
      ],
    };
  }
  if (store instanceof EncryptingStore) {
    // As stored, never decrypted; a value still in clear from before encryption was on is sealed
    // now, so that the file holds no plaintext secret.
    const configs = (await store.listStoredConfigs()).map((c) =>
      mapSecretFields(c, (v) => (isCiphertext(v) ? v : store.sealValue(v))),
    );
    const withSecrets = configs.filter(hasSecrets);
    return {
      configs,
      secrets: 'sealed',
      sealedWith: store.description,
      notes: withSecrets.length
        ? [
            `The secrets of ${nameConfigs(withSecrets)} are sealed with ${store.description}: only a Task Scheduler with the same key (the same TASK_SCHEDULER_SECRET_KEY or secret.key, or the same OS keyring) can import them; to move them to another key, export with includeSecrets.`,
          ]
        : [],
    };
  }
  const stored = await store.listConfigs();
  const withSecrets = stored.filter(hasSecrets);
  return {
    configs: stored.map((c) => (hasSecrets(c) ? mapSecretFields(c, () => REDACTED) : c)),
    secrets: 'omitted',
    notes: withSecrets.length
      ? [
          `The secrets of ${nameConfigs(withSecrets)} were left out (replaced by "${REDACTED}"; this store has no key to seal them): an import keeps the secrets already stored under the same ids, otherwise they must be re-entered; export with includeSecrets to keep them.`,
        ]
      : [],
  };
}

export interface ImportedConfigs {
  /** The configurations to store: secrets in clear, or the marker where none could be kept. */
  configs: Configuration[];
  notes: string[];
}

/**
 * Opens the secrets of a validated file for `store`, writing nothing: sealed values are decrypted
 * with the store's codec (it seals them again as it stores them, with its current codec), and a
 * `REDACTED` secret keeps the one stored under the same id. A sealed value that does not open is a
 * VALIDATION error naming the configurations.
 */
export async function configsForImport(
  store: Store,
  file: { configs: Configuration[]; secrets?: ExportSecrets; sealedWith?: string },
  where: string,
): Promise<ImportedConfigs> {
  const opened =
    (file.secrets ?? 'clear') === 'sealed' ? openSealed(store, file, where) : file.configs;
  const configs: Configuration[] = [];
  const kept: Configuration[] = [];
  const missing: Configuration[] = [];
  for (const config of opened) {
    if (!secretValuesOf(config).includes(REDACTED)) {
      configs.push(config);
      continue;
    }
    // The rule of `configs.save`: the redacted value sent back keeps the stored secret.
    const existing = await store.getConfig(config.id);
    const restored = existing
      ? ({ ...config, ...restoreSecrets(config, existing) } as Configuration)
      : config;
    (secretValuesOf(restored).includes(REDACTED) ? missing : kept).push(restored);
    configs.push(restored);
  }
  const notes: string[] = [];
  if (kept.length) {
    notes.push(
      `The file omitted the secrets of ${nameConfigs(kept)}; the secrets already stored were kept.`,
    );
  }
  if (missing.length) {
    notes.push(
      `The file omitted the secrets of ${nameConfigs(missing)} and none were stored: re-enter the secret of each before running its tasks.`,
    );
  }
  return { configs, notes };
}

function openSealed(
  store: Store,
  file: { configs: Configuration[]; sealedWith?: string },
  where: string,
): Configuration[] {
  const sealed = file.configs.filter((c) => secretValuesOf(c).some(isCiphertext));
  if (!sealed.length) return file.configs;
  const sealedWith = file.sealedWith ? ` with ${file.sealedWith}` : '';
  if (!(store instanceof EncryptingStore)) {
    throw new AppError(
      'VALIDATION',
      `${where}: the secrets of ${nameConfigs(sealed)} are sealed${sealedWith} and this ${store.kind} store has no key to open them; import into a Task Scheduler that uses the same key (TASK_SCHEDULER_SECRET_KEY or secret.key), or export again with includeSecrets; nothing was imported`,
      { configIds: sealed.map((c) => c.id) },
    );
  }
  const failed: Configuration[] = [];
  const opened = file.configs.map((config) => {
    try {
      return mapSecretFields(config, (v) => (isCiphertext(v) ? store.openValue(v) : v));
    } catch {
      failed.push(config);
      return config;
    }
  });
  if (failed.length) {
    throw new AppError(
      'VALIDATION',
      `${where}: the secrets of ${nameConfigs(failed)} were sealed${sealedWith} and do not decrypt with ${store.description}; use the key the file was exported with (the same TASK_SCHEDULER_SECRET_KEY or secret.key), or export again with includeSecrets; nothing was imported`,
      { configIds: failed.map((c) => c.id) },
    );
  }
  return opened;
}
