/**
 * Secrets that no longer decrypt (secret.key lost or replaced, the OS keyring reset): the
 * configuration stays listed and editable with each such secret shown as UNREADABLE_SECRET,
 * saving it back keeps nothing but asks for the secret again, and a run of it fails with
 * SECRETS_UNREADABLE instead of sending the marker to a server.
 */
import type { Configuration } from '../../shared/domain';

/** Stands for a secret that does not decrypt with the current key. */
export const UNREADABLE_SECRET = '‹unreadable secret: type it again›';

export const SECRETS_UNREADABLE = 'SECRETS_UNREADABLE';

export function unreadableMessage(name: string, codec = 'the current key'): string {
  return `the secrets of configuration "${name}" do not decrypt with ${codec} (secret.key or the OS keyring changed?); restore the original key, or type each secret again and save (or delete the configuration)`;
}

/**
 * Whether any secret field of `config` holds UNREADABLE_SECRET. `secretValues` lists the secret
 * fields (EncryptingStore's own walk); answers are cached per configuration object, which the
 * scheduler shares between fires.
 */
export function hasUnreadableSecret(
  config: Configuration,
  secretValues: (config: Configuration) => string[],
): boolean {
  let known = checked.get(config);
  if (known === undefined) {
    known = secretValues(config).includes(UNREADABLE_SECRET);
    checked.set(config, known);
  }
  return known;
}

const checked = new WeakMap<Configuration, boolean>();
