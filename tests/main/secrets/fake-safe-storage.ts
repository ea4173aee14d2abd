import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SafeStorageLike } from '../../../src/main/secrets/safe-storage-codec';

/**
 * Stands in for Electron's safeStorage: real AES under a key derived from a "keyring" name, so
 * a keyring change makes old values undecryptable, as on a real desktop.
 */
export class FakeSafeStorage implements SafeStorageLike {
  available = true;
  encryptCalls = 0;

  constructor(
    public keyring = 'keyring-1',
    public backend = 'gnome_libsecret',
  ) {}

  private key(): Buffer {
    return createHash('sha256').update(this.keyring).digest();
  }
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
  encryptString(plain: string): Buffer {
    this.encryptCalls++;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key(), iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), ct]);
  }
  decryptString(encrypted: Buffer): string {
    const d = createDecipheriv('aes-256-gcm', this.key(), encrypted.subarray(0, 12));
    d.setAuthTag(encrypted.subarray(12, 28));
    try {
      return Buffer.concat([d.update(encrypted.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new Error(
        'Error while decrypting the ciphertext provided to safeStorage.decryptString.',
      );
    }
  }
}
