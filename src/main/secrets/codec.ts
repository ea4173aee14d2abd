/**
 * How configuration secrets are sealed at rest. Every ciphertext carries a version tag
 * (`v1:safe:` or `v1:aes:`), so a store can hold values written by different codecs and a future
 * format can be told apart from today's.
 */
export interface SecretCodec {
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
  /** What protects the secrets, in words for Settings and logs. */
  readonly description: string;
}

/** A codec that can say whether a stored value is one of its ciphertexts. */
export interface TaggedCodec extends SecretCodec {
  /** The version tag every ciphertext of this codec starts with. */
  readonly tag: string;
}

/** Every tag a codec of this app writes; a value starting with one of them is a ciphertext. */
export const SECRET_TAGS = ['v1:safe:', 'v1:aes:'] as const;

export function isCiphertext(value: string): boolean {
  return SECRET_TAGS.some((tag) => value.startsWith(tag));
}

/**
 * Encrypts with `primary` and decrypts with whichever codec wrote the value, so switching the
 * backend (keyring ↔ key file) keeps older values readable until they are re-encrypted.
 */
export class MultiCodec implements SecretCodec {
  private readonly all: TaggedCodec[];

  constructor(
    readonly primary: TaggedCodec,
    others: readonly TaggedCodec[] = [],
  ) {
    this.all = [primary, ...others.filter((c) => c.tag !== primary.tag)];
  }

  get description(): string {
    return this.primary.description;
  }

  encrypt(plain: string): string {
    return this.primary.encrypt(plain);
  }

  decrypt(cipher: string): string {
    const codec = this.all.find((c) => cipher.startsWith(c.tag));
    if (!codec) {
      const tag = SECRET_TAGS.find((t) => cipher.startsWith(t));
      throw new Error(
        tag
          ? `Secrets: the value was sealed with "${tag}", which is not available now (${tag === 'v1:safe:' ? 'the OS keyring is unavailable' : 'secret.key is missing'})`
          : 'Secrets: the value carries no known version tag',
      );
    }
    return codec.decrypt(cipher);
  }

  /** True when `cipher` was written by the primary codec (no re-encryption needed). */
  isCurrent(cipher: string): boolean {
    return cipher.startsWith(this.primary.tag);
  }
}
