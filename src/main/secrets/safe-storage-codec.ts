import type { TaggedCodec } from './codec';

/** The part of Electron's `safeStorage` the codec uses (injected, so it is testable). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keyring protects the key. */
  getSelectedStorageBackend?(): string;
}

const TAG = 'v1:safe:';

/** Secrets sealed by the OS keyring through Electron's `safeStorage`: `v1:safe:<base64>`. */
export class SafeStorageCodec implements TaggedCodec {
  readonly tag = TAG;
  readonly description: string;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    description = 'the OS keyring (Electron safeStorage)',
  ) {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error(
        'SafeStorageCodec: OS encryption is not available (call after app "ready"; on Linux a keyring service is needed)',
      );
    }
    this.description = description;
  }

  encrypt(plain: string): string {
    return TAG + this.safeStorage.encryptString(plain).toString('base64');
  }

  decrypt(cipher: string): string {
    if (!cipher.startsWith(TAG)) {
      throw new Error(`SafeStorageCodec: the value does not start with "${TAG}"`);
    }
    try {
      return this.safeStorage.decryptString(Buffer.from(cipher.slice(TAG.length), 'base64'));
    } catch (error) {
      throw new Error(
        `SafeStorageCodec: the OS keyring could not decrypt the value (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
}
