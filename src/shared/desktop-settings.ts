/**
 * What the renderer may change of the desktop-only settings (`desktop.saveSettings`): one schema,
 * which the main process parses with and the bridge's `DesktopSettingsPatch` type is inferred from.
 */
import { z } from 'zod';

/** How secrets are sealed: `auto` is the OS keyring unless only basic_text exists, then the key file. */
export const secretsBackendSchema = z.enum(['auto', 'keyring', 'file-key']);
export type SecretsBackendChoice = z.infer<typeof secretsBackendSchema>;

/** The stores the desktop app can open. */
export const storeChoiceSchema = z.enum(['json', 'mongodb']);
export type StoreChoice = z.infer<typeof storeChoiceSchema>;

export const desktopSettingsPatchSchema = z.strictObject({
  startAtLogin: z.boolean().optional(),
  secretsBackend: secretsBackendSchema.optional(),
  store: storeChoiceSchema.optional(),
  mongoUri: z
    .string()
    .trim()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
});
export type DesktopSettingsPatch = z.infer<typeof desktopSettingsPatchSchema>;
