/**
 * Picks the codec for the desktop app: the OS keyring through `safeStorage` when a real keyring
 * backs it; when only Linux's `basic_text` backend exists (a hard-coded key, i.e. obfuscation),
 * the user chooses, and the default is the AES key file. Older values stay readable through
 * every codec whose key is present.
 */
import type { SecretsBackendChoice, SecretsStatus } from '../../shared/bridge';
import { MultiCodec, type TaggedCodec } from './codec';
import { FileKeyCodec } from './file-key-codec';
import { SafeStorageCodec, type SafeStorageLike } from './safe-storage-codec';

export type { SecretsBackendChoice, SecretsStatus } from '../../shared/bridge';

export interface ChooseCodecOptions {
  safeStorage: SafeStorageLike | undefined;
  dataDir: string;
  choice: SecretsBackendChoice;
  env?: NodeJS.ProcessEnv;
}

export const BASIC_TEXT_WARNING =
  'No OS keyring is available (Electron reports the "basic_text" backend): safeStorage would only obfuscate secrets with a built-in key. Secrets are sealed with a random key in secret.key (readable only by you) instead; choose "keyring" to use basic_text anyway.';

export async function chooseCodec(
  options: ChooseCodecOptions,
): Promise<{ codec: MultiCodec; status: SecretsStatus }> {
  const { safeStorage, dataDir, choice } = options;
  const keyOptions = { dataDir, ...(options.env ? { env: options.env } : {}) };
  const available = safeStorage?.isEncryptionAvailable() ?? false;
  const basicText = available && safeStorage?.getSelectedStorageBackend?.() === 'basic_text';
  const os: SecretsStatus['os'] = !available ? 'unavailable' : basicText ? 'basic-text' : 'keyring';
  const safe = available && safeStorage ? new SafeStorageCodec(safeStorage) : undefined;

  const useKeyring =
    safe !== undefined && (choice === 'keyring' || (choice === 'auto' && !basicText));
  if (useKeyring) {
    const fileKey = await FileKeyCodec.openExisting(keyOptions);
    const others: TaggedCodec[] = fileKey ? [fileKey] : [];
    return {
      codec: new MultiCodec(safe, others),
      status: {
        os,
        using: 'keyring',
        choice,
        description: safe.description,
        ...(basicText ? { warning: BASIC_TEXT_WARNING } : {}),
      },
    };
  }
  const fileKey = await FileKeyCodec.open(keyOptions);
  return {
    codec: new MultiCodec(fileKey, safe ? [safe] : []),
    status: {
      os,
      using: 'file-key',
      choice,
      description: fileKey.description,
      ...(os === 'basic-text'
        ? { warning: BASIC_TEXT_WARNING }
        : os === 'unavailable'
          ? {
              warning:
                'OS encryption is unavailable; secrets are sealed with a random key in secret.key (readable only by you).',
            }
          : {}),
    },
  };
}
