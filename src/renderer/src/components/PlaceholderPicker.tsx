/**
 * The placeholder picker (issue #15): a small menu of the built-in values and, for a chained
 * task, the paths found in the parent's last result. Picking one inserts it at the cursor of the
 * form's last focused text field (usePlaceholderTarget), or copies it to the clipboard
 * (copyPlaceholder) where the form has no field to fill.
 */
import { useId, useMemo, useRef, useState, type FocusEvent, type ReactElement } from 'react';
import { builtInPlaceholders, inputPlaceholders, type PlaceholderOption } from './PlaceholderPaths';

/** Marks the picker's own filter field, which is never a target. */
const FILTER_ATTRIBUTE = 'data-placeholder-filter';

interface PlaceholderPickerProps {
  /** The task runs after another: offer `input`, `parent.…` (and the parent's paths). */
  chained: boolean;
  /** The parent's last result and where it comes from ("the last run of “Fetch”"). */
  parent?: { result: unknown; from: string } | undefined;
  /** What picking does, in a sentence under the menu's title. */
  note: string;
  /** Inserts or copies `text`; answers what happened, for the status line. */
  onPick: (text: string) => string | Promise<string>;
}

function OptionList({
  label,
  options,
  onPick,
}: {
  label: string;
  options: readonly PlaceholderOption[];
  onPick: (text: string) => void;
}): ReactElement {
  return (
    <ul aria-label={label} className="placeholder-options">
      {options.map((o) => (
        <li key={o.text}>
          <button
            type="button"
            className="mono"
            // Keeps the cursor in the text field being edited while the pointer picks.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(o.text)}
          >
            {o.text}
          </button>{' '}
          <span className="hint">{o.hint}</span>
        </li>
      ))}
    </ul>
  );
}

export function PlaceholderPicker({
  chained,
  parent,
  note,
  onPick,
}: PlaceholderPickerProps): ReactElement {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const [said, setSaid] = useState('');
  const panelId = useId();
  const builtIns = useMemo(() => builtInPlaceholders(chained), [chained]);
  const paths = useMemo(
    () => (chained && parent ? inputPlaceholders(parent.result) : []),
    [chained, parent],
  );
  const needle = filter.trim().toLowerCase();
  const matching = (list: readonly PlaceholderOption[]): PlaceholderOption[] =>
    needle ? list.filter((o) => `${o.text} ${o.hint}`.toLowerCase().includes(needle)) : [...list];
  const pick = async (text: string): Promise<void> => {
    setSaid(await onPick(text));
    setOpen(false);
  };
  return (
    <div className="placeholder-picker">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => setOpen((o) => !o)}
      >
        Placeholders {open ? '▴' : '▾'}
      </button>{' '}
      <span role="status" className="hint">
        {said}
      </span>
      {open ? (
        <div
          id={panelId}
          role="group"
          aria-label="Placeholders"
          className="panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <p className="hint">{note}</p>
          <input
            type="search"
            aria-label="Filter placeholders"
            placeholder="Filter…"
            {...{ [FILTER_ATTRIBUTE]: '' }}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <OptionList
            label="Built-in values"
            options={matching(builtIns)}
            onPick={(t) => void pick(t)}
          />
          {chained ? (
            parent ? (
              <>
                <p className="hint">Paths in {parent.from}:</p>
                <OptionList
                  label="Paths in the parent's last result"
                  options={matching(paths)}
                  onPick={(t) => void pick(t)}
                />
              </>
            ) : (
              <p className="hint">
                The task it runs after has no result yet: run it once to list the paths of its
                result here.
              </p>
            )
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

type TextControl = HTMLInputElement | HTMLTextAreaElement;
const TEXT_TYPES = new Set(['text', 'search', 'url', '']);

function isTextControl(element: EventTarget | null): element is TextControl {
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  return (
    element instanceof HTMLInputElement &&
    TEXT_TYPES.has(element.getAttribute('type') ?? '') &&
    !element.readOnly &&
    !element.disabled &&
    !element.hasAttribute(FILTER_ATTRIBUTE)
  );
}

/** Sets a React-controlled field's value the way typing does, so its onChange runs. */
function typeInto(element: TextControl, value: string): void {
  const proto =
    element instanceof HTMLTextAreaElement
      ? HTMLTextAreaElement.prototype
      : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(element, value);
  element.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Copies `text` to the clipboard; answers what happened. */
export async function copyPlaceholder(text: string, where: string): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return `Copied ${text} to the clipboard: paste it into ${where}.`;
  } catch {
    return `The clipboard is not available here: copy ${text} by hand into ${where}.`;
  }
}

export interface PlaceholderTarget {
  /** For the form's `onFocus`: remembers the last text field focused in it. */
  onFocus: (event: FocusEvent) => void;
  /** Inserts `text` at that field's cursor (replacing a selection); answers what happened. */
  insert: (text: string) => Promise<string>;
}

/** Where the picker inserts in a form: the text field focused last, at its cursor. */
export function usePlaceholderTarget(): PlaceholderTarget {
  const last = useRef<TextControl | null>(null);
  return useMemo(
    () => ({
      onFocus: (event) => {
        if (isTextControl(event.target)) last.current = event.target;
      },
      insert: async (text) => {
        const field = last.current;
        if (!field || !field.isConnected) {
          return copyPlaceholder(text, 'a field (click into a text field first to insert there)');
        }
        const start = field.selectionStart ?? field.value.length;
        const end = field.selectionEnd ?? start;
        typeInto(field, field.value.slice(0, start) + text + field.value.slice(end));
        field.focus();
        field.setSelectionRange(start + text.length, start + text.length);
        const label = field.labels?.[0]?.textContent ?? field.getAttribute('aria-label') ?? '';
        return `Inserted ${text}${label ? ` into “${label}”` : ''}.`;
      },
    }),
    [],
  );
}
