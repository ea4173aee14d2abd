import { FILE_ENCODINGS } from '../../../shared/domain';

export const ENCODINGS_LIST: readonly string[] = FILE_ENCODINGS;
