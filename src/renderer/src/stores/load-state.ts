import { AppError } from '../../../shared/errors';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * Sentence case for a message shown on its own: `no task …` → `No task …`; a message that starts
 * with a field name, path or file name (`ranFrom …`, `config.params.url: …`, `bad-file.json: …`)
 * stays as it is: only a first word of plain lowercase letters followed by a space is changed.
 */
export function sentence(message: string): string {
  return /^[a-z]+ /.test(message) ? message.charAt(0).toUpperCase() + message.slice(1) : message;
}

/** What to tell the user about a failure: the service's sentence (no method prefix). */
export function errorMessage(error: unknown): string {
  if (error instanceof AppError) return sentence(error.message);
  return sentence(error instanceof Error ? error.message : String(error));
}
