import { FILE_ENCODINGS } from '../../../shared/domain';

export const ENCODINGS_LIST: readonly string[] = FILE_ENCODINGS;

/** "A, B, C", or "A, B, … and 4 more" past `max` names (confirmations name what goes). */
export function nameList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** "1 run" / "3 runs"; `many` for irregular plurals ("entries"). */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

interface Named {
  id: string;
  name: string;
}

/**
 * Picker options for named items: a name that two items share gets a distinguishing detail
 * (by default the id), so "Fetch" and "Fetch" can be told apart.
 */
export function pickerOptions<T extends Named>(
  items: readonly T[],
  detail: (item: T) => string = (item) => `id ${item.id}`,
): { value: string; label: string }[] {
  const seen = new Map<string, number>();
  for (const item of items) seen.set(item.name, (seen.get(item.name) ?? 0) + 1);
  return items.map((item) => ({
    value: item.id,
    label: (seen.get(item.name) ?? 0) > 1 ? `${item.name} (${detail(item)})` : item.name,
  }));
}
