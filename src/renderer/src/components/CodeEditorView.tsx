/**
 * The CodeMirror 6 editor behind `CodeEditor` (loaded lazily, in its own chunk): JSON or SQL
 * highlighting, JSON lint as you type, undo history, bracket matching; the accessible name,
 * invalid state and description on its content element; placeholders inserted at the cursor.
 */
import { useEffect, useLayoutEffect, useRef, type ReactElement } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { INSERT_EVENT, type CodeEditorProps, type CodeLanguage } from './CodeEditor';

/** Each language in its own chunk, loaded when a field of it first shows. */
async function languageOf(language: CodeLanguage): Promise<Extension> {
  if (language === 'json') {
    const [{ json, jsonParseLinter }, { linter }] = await Promise.all([
      import('@codemirror/lang-json'),
      import('@codemirror/lint'),
    ]);
    const lint = jsonParseLinter();
    // An empty field is no JSON error: it leaves the param out.
    return [
      json(),
      linter((view) => (view.state.doc.toString().trim() === '' ? [] : lint(view)), {
        delay: 300,
      }),
    ];
  }
  if (language === 'sql') return (await import('@codemirror/lang-sql')).sql();
  return [];
}

function attributesOf(props: CodeEditorProps): Extension {
  return EditorView.contentAttributes.of({
    id: props.id,
    'aria-label': props.label,
    'aria-multiline': 'true',
    'aria-invalid': String(Boolean(props['aria-invalid'])),
    ...(props['aria-describedby'] ? { 'aria-describedby': props['aria-describedby'] } : {}),
  });
}

/** Token colours from the app's palette, so they keep their contrast in the light and dark theme. */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword], color: 'var(--accent)', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--ok)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--warn)' },
  { tag: [tags.propertyName, tags.typeName], color: 'var(--fg)', fontWeight: '600' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--muted)' },
  { tag: tags.invalid, color: 'var(--bad)' },
]);

const theme = EditorView.theme({
  '&': { border: '1px solid var(--border)', borderRadius: '4px', background: 'var(--bg)' },
  '&.cm-focused': { outline: '2px solid var(--accent)' },
  '.cm-content': { fontFamily: 'ui-monospace, monospace', color: 'var(--fg)' },
  '.cm-scroller': { maxHeight: '20em', overflow: 'auto' },
});

export default function CodeEditorView(props: CodeEditorProps): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const language = useRef(new Compartment());
  const attributes = useRef(new Compartment());

  // A layout effect: the editor's content, which holds the field's id (a label's and the Format
  // button's aria-controls target), exists from the frame the stand-in textarea leaves.
  useLayoutEffect(() => {
    const parent = host.current;
    if (!parent) return undefined;
    const editor = new EditorView({
      parent,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          syntaxHighlighting(highlight),
          bracketMatching(),
          EditorView.lineWrapping,
          theme,
          language.current.of([]),
          attributes.current.of(attributesOf(props)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChange.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    const insert = (event: Event): void => {
      editor.dispatch(editor.state.replaceSelection(String((event as CustomEvent).detail)));
      editor.focus();
    };
    parent.addEventListener(INSERT_EVENT, insert);
    return () => {
      parent.removeEventListener(INSERT_EVENT, insert);
      editor.destroy();
      view.current = null;
    };
    // Created once; the effects below follow the props.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === props.value) return;
    // A change from outside (Format, Reveal secrets): the whole text replaced.
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    let current = true;
    void languageOf(props.language).then((extension) => {
      if (current) view.current?.dispatch({ effects: language.current.reconfigure(extension) });
    });
    return () => {
      current = false;
    };
  }, [props.language]);

  const { id, label } = props;
  const invalid = props['aria-invalid'];
  const describedBy = props['aria-describedby'];
  useEffect(() => {
    view.current?.dispatch({
      effects: attributes.current.reconfigure(
        attributesOf({
          ...props,
          id,
          label,
          'aria-invalid': invalid,
          'aria-describedby': describedBy,
        }),
      ),
    });
    // Only the attributes matter here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, label, invalid, describedBy]);

  return <div ref={host} className="code-editor-rich" data-language={props.language} />;
}
