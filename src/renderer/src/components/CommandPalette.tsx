/**
 * The command palette (Ctrl+K / Cmd+K): jump to any screen, task or configuration, or run a task.
 * A modal dialog with a combobox over a listbox: type to filter, ↑/↓ to move, Enter to
 * do it, Escape to close; focus goes back to where it was.
 */
import { useId, useMemo, useRef, useState, type ReactElement } from 'react';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';
import { modalKeys } from './ConfirmDialog';
import { useFocusTrap } from './focus-trap';
import { pickerOptions } from './lists';

export interface PaletteCommand {
  id: string;
  label: string;
  /** What kind of thing it is ("screen", "task", "run", "configuration"). */
  group: string;
  run: () => void;
}

/** Shown at most (the list stays short and fast with 1,000 tasks; typing narrows it). */
export const MAX_SHOWN = 50;

/** Every word of `query` appears in the label or the group (case-insensitive). */
export function matchesQuery(command: PaletteCommand, query: string): boolean {
  const text = `${command.label} ${command.group}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

function useCommands(screens: ReadonlyArray<readonly [string, string]>): PaletteCommand[] {
  const tasks = useTasks((s) => s.items);
  const configs = useConfigs((s) => s.items);
  return useMemo(() => {
    const runTask = (id: string, name: string): void => {
      const { toast } = useUi.getState();
      useTasks
        .getState()
        .run(id)
        .then(
          (run) => toast('info', `Started ${name}`, `#/history/${encodeURIComponent(run.id)}`),
          (e: unknown) => toast('error', errorMessage(e)),
        );
    };
    const taskLabels = pickerOptions(tasks, (t) => `${t.type}, id ${t.id}`);
    const configLabels = pickerOptions(configs, (c) => `${c.type}, id ${c.id}`);
    return [
      ...screens.map(([path, label]) => ({
        id: `screen:${path}`,
        label: `Go to ${label}`,
        group: 'screen',
        run: () => navigate(`/${path}`),
      })),
      ...tasks.flatMap((t, i) => [
        {
          id: `task:${t.id}`,
          label: `Open task ${taskLabels[i]!.label}`,
          group: 'task',
          run: () => navigate(`/tasks/${encodeURIComponent(t.id)}`),
        },
        {
          id: `run:${t.id}`,
          label: `Run task ${taskLabels[i]!.label}`,
          group: 'run',
          run: () => runTask(t.id, t.name),
        },
      ]),
      ...configs.map((c, i) => ({
        id: `config:${c.id}`,
        label: `Open configuration ${configLabels[i]!.label}`,
        group: 'configuration',
        run: () => navigate(`/configs/${encodeURIComponent(c.id)}`),
      })),
    ];
  }, [screens, tasks, configs]);
}

export function CommandPalette({
  screens,
  onClose,
}: {
  screens: ReadonlyArray<readonly [string, string]>;
  onClose: () => void;
}): ReactElement {
  const dialogRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useFocusTrap(dialogRef, inputRef);
  const listId = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const commands = useCommands(screens);
  const matching = useMemo(() => commands.filter((c) => matchesQuery(c, query)), [commands, query]);
  const shown = matching.slice(0, MAX_SHOWN);
  const current = Math.min(active, Math.max(0, shown.length - 1));
  const optionId = (i: number): string => `${listId}-${i}`;

  const choose = (command: PaletteCommand | undefined): void => {
    if (!command) return;
    onClose();
    command.run();
  };
  const move = (to: number): void => {
    const next = Math.max(0, Math.min(shown.length - 1, to));
    setActive(next);
    document.getElementById(optionId(next))?.scrollIntoView?.({ block: 'nearest' });
  };

  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        className="dialog palette"
        onKeyDown={modalKeys(onClose)}
      >
        <input
          ref={inputRef}
          type="text"
          role="combobox"
          aria-label="Go to or run"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={shown.length > 0 ? optionId(current) : undefined}
          placeholder="Type a screen, task or configuration…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              move(current + (e.key === 'ArrowDown' ? 1 : -1));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              choose(shown[current]);
            }
          }}
        />
        <ul id={listId} role="listbox" aria-label="Commands" className="palette-list">
          {shown.map((c, i) => (
            <li
              key={c.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === current}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(c)}
            >
              {c.label} <span className="hint">{c.group}</span>
            </li>
          ))}
        </ul>
        <p className="hint" role="status">
          {matching.length === 0
            ? 'Nothing matches.'
            : matching.length > shown.length
              ? `${shown.length} of ${matching.length} shown: type more to narrow.`
              : `${matching.length} match${matching.length === 1 ? '' : 'es'}.`}
        </p>
      </div>
    </div>
  );
}
