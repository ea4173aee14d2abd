import { AppError } from '../../../shared/errors';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export function errorMessage(error: unknown): string {
  if (error instanceof AppError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
