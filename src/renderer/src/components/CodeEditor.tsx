/**
 * A code field for bodies, filters, pipelines, content and SQL (issue #17): CodeMirror 6 with
 * JSON or SQL highlighting and JSON lint as you type, loaded on first use (its own chunk, so the
 * main bundle stays small), and a Format button for JSON. Where the browser lacks the layout APIs
 * CodeMirror needs (jsdom: no `matchMedia`), and until the editor's chunk has loaded, a plain
 * textarea with the same name, value and description stands in.
 */
import { lazy, Suspense, type ReactElement } from 'react';

export type CodeLanguage = 'json' | 'sql' | 'text';

export interface CodeEditorProps {
  /** The id the field's `<label htmlFor>` names (the textarea's; the editor's content's). */
  id: string;
  /** The field's label: the editor's accessible name (a contenteditable is not labelable). */
  label: string;
  value: string;
  onChange: (value: string) => void;
  language: CodeLanguage;
  rows?: number;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/** Fired at an editor's root by `insertIntoCodeEditor`; the editor inserts `detail` at its cursor. */
export const INSERT_EVENT = 'code-editor-insert';

const RichEditor = lazy(() => import('./CodeEditorView'));

/** False where CodeMirror cannot measure its layout (jsdom and other headless DOMs). */
export function richEditorSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.matchMedia === 'function' &&
    typeof document.createRange === 'function' &&
    typeof Range.prototype.getClientRects === 'function'
  );
}

/** The text pretty-printed when it is JSON; undefined when it does not parse. */
export function formattedJson(text: string): string | undefined {
  if (!text.trim()) return undefined;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/**
 * Inserts `text` at the cursor of the code editor `element` belongs to (for the placeholder
 * picker); false when it belongs to none.
 */
export function insertIntoCodeEditor(element: Element | null, text: string): boolean {
  const root = element?.closest('.code-editor-rich');
  if (!root) return false;
  root.dispatchEvent(new CustomEvent(INSERT_EVENT, { detail: text }));
  return true;
}

function PlainEditor(props: CodeEditorProps): ReactElement {
  const { label: _label, language, value, onChange, rows = 4, ...aria } = props;
  return (
    <textarea
      {...aria}
      className={language === 'text' ? undefined : 'mono'}
      rows={rows}
      spellCheck={false}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function CodeEditor(props: CodeEditorProps): ReactElement {
  const formatted = props.language === 'json' ? formattedJson(props.value) : undefined;
  return (
    <div className="code-editor">
      {richEditorSupported() ? (
        <Suspense fallback={<PlainEditor {...props} />}>
          <RichEditor {...props} />
        </Suspense>
      ) : (
        <PlainEditor {...props} />
      )}
      {props.language === 'json' ? (
        <button
          type="button"
          className="code-format"
          // Named "Format" only: a name holding the field's label would match it too.
          aria-controls={props.id}
          disabled={formatted === undefined || formatted === props.value}
          onClick={() => formatted !== undefined && props.onChange(formatted)}
        >
          Format
        </button>
      ) : null}
    </div>
  );
}
