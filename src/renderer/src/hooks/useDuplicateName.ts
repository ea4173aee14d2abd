/**
 * Duplicate names: a configuration or task named like another one is allowed, but looks the same
 * everywhere. Forms call this with the name being typed and show the warning (non-blocking) near
 * the name field and at Save.
 */
import { useConfigs } from '../stores/configs';
import { useTasks } from '../stores/tasks';

export type NamedKind = 'config' | 'task';

interface Named {
  id: string;
  name: string;
}

/** The items other than `id` whose name equals `name` (trimmed, case-insensitive). */
export function sameNamed<T extends Named>(items: readonly T[], name: string, id?: string): T[] {
  const wanted = name.trim().toLowerCase();
  if (!wanted) return [];
  return items.filter((item) => item.id !== id && item.name.trim().toLowerCase() === wanted);
}

/** The warning for `name`, or undefined when no other item of `kind` has it. */
export function duplicateNameWarning(
  kind: NamedKind,
  others: readonly Named[],
): string | undefined {
  if (others.length === 0) return undefined;
  const what = kind === 'config' ? 'configuration' : 'task';
  const many = others.length === 1 ? `Another ${what} is` : `${others.length} other ${what}s are`;
  return `${many} already named “${others[0]!.name}” (id ${others.map((o) => o.id).join(', ')}): you can save, but pickers will tell them apart only by id. Consider a distinct name.`;
}

/**
 * The duplicate-name warning for the form of a `kind` item named `name` (its own `id` when
 * editing, so it does not count itself); undefined when the name is unique.
 */
export function useDuplicateName(kind: NamedKind, name: string, id?: string): string | undefined {
  const configs = useConfigs((s) => s.items);
  const tasks = useTasks((s) => s.items);
  const items: readonly Named[] = kind === 'config' ? configs : tasks;
  return duplicateNameWarning(kind, sameNamed(items, name, id));
}
