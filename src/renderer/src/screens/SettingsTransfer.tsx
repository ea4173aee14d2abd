/**
 * Settings → Import and export: the whole store as one JSON file, the same file as the `export` /
 * `import` commands (docs/storage.md, "Export and import"). In the browser the export downloads
 * (`system.exportData`) and an import uploads a chosen file (`system.importData`); in the desktop
 * app native dialogs pick the path and the core writes or reads it (`system.export` / `import`).
 * An import asks first, then shows the counts and notes, or the refusal's sentence.
 */
import { useRef, useState, type ReactElement } from 'react';
import type { TransferCounts, TransferSummary } from '../../../shared/contract';
import { getClient } from '../api/current';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorBox } from '../components/common';
import { errorMessage } from '../stores/load-state';
import { useUi } from '../stores/ui';

/** `3 configurations, 1 task, 0 schedule entries, 2 alerts, settings, 25 runs`. */
export function describeCounts(counts: Partial<TransferCounts>): string {
  const n = (count: number | undefined, one: string, many: string): string =>
    `${count ?? 0} ${count === 1 ? one : many}`;
  return [
    n(counts.configs, 'configuration', 'configurations'),
    n(counts.tasks, 'task', 'tasks'),
    n(counts.schedules, 'schedule entry', 'schedule entries'),
    n(counts.alerts, 'alert', 'alerts'),
    counts.settings ? 'settings' : 'no settings',
    n(counts.runs, 'run', 'runs'),
  ].join(', ');
}

/** The refusal's sentence without the method name in front (it stays in the service's logs). */
function userMessage(error: unknown): string {
  return errorMessage(error).replace(/^system\.\w+: /, '');
}

/** Saves `text` as a file download (the browser asks where or uses its downloads folder). */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked once the click has handed the file to the browser.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** What the user picked to import: a path (desktop) or a parsed upload (browser). */
type PendingImport =
  | { kind: 'path'; file: string }
  | { kind: 'upload'; fileName: string; dump: unknown; counts?: Partial<TransferCounts> };

interface Outcome {
  title: string;
  summary: TransferSummary | Omit<TransferSummary, 'file'>;
}

function countsOf(dump: unknown): Partial<TransferCounts> | undefined {
  const counts = (dump as { counts?: unknown } | null)?.counts;
  return counts && typeof counts === 'object' ? (counts as Partial<TransferCounts>) : undefined;
}

function dateStamp(): string {
  return new Date().toISOString().slice(0, 10);
}

export function TransferPanel(): ReactElement {
  const client = getClient();
  const toast = useUi((s) => s.toast);
  const inBrowser = client.transport === 'http' || !client.pickPath;
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [withRuns, setWithRuns] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [pending, setPending] = useState<PendingImport | undefined>();
  const fileInput = useRef<HTMLInputElement>(null);

  const work = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setOutcome(undefined);
      setError(userMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const exportNow = (): Promise<void> =>
    work(async () => {
      if (inBrowser) {
        const exported = await client.api['system.exportData']({
          includeSecrets,
          runs: withRuns,
        });
        download(exported.fileName, JSON.stringify(exported.dump));
        setOutcome({ title: `Downloaded ${exported.fileName}`, summary: exported });
        toast('info', `Export downloaded: ${exported.fileName}`);
        return;
      }
      const file = await client.pickPath!({
        kind: 'file',
        save: true,
        json: true,
        title: 'Export to a file',
        defaultName: `task-scheduler-export-${dateStamp()}.json`,
      });
      if (!file) return;
      const summary = await client.api['system.export']({ file, includeSecrets });
      setOutcome({ title: `Exported to ${summary.file}`, summary });
      toast('info', `Exported to ${summary.file}`);
    });

  const pickImport = async (): Promise<void> => {
    setError(undefined);
    if (inBrowser) {
      fileInput.current?.click();
      return;
    }
    try {
      const file = await client.pickPath!({
        kind: 'file',
        json: true,
        title: 'Choose an export file to import',
      });
      if (file) setPending({ kind: 'path', file });
    } catch (e) {
      setError(userMessage(e));
    }
  };

  const uploadChosen = async (chosen: File | undefined): Promise<void> => {
    if (fileInput.current) fileInput.current.value = '';
    if (!chosen) return;
    setOutcome(undefined);
    let dump: unknown;
    try {
      dump = JSON.parse(await chosen.text()) as unknown;
    } catch (e) {
      setError(
        `${chosen.name} is not valid JSON (${e instanceof Error ? e.message : String(e)}); pick a file written by Export, and export again if it was cut short. Nothing was imported.`,
      );
      return;
    }
    const counts = countsOf(dump);
    setPending({ kind: 'upload', fileName: chosen.name, dump, ...(counts ? { counts } : {}) });
  };

  const importNow = (what: PendingImport): Promise<void> =>
    work(async () => {
      setPending(undefined);
      const summary =
        what.kind === 'path'
          ? await client.api['system.import']({ file: what.file })
          : await client.api['system.importData']({ dump: what.dump, fileName: what.fileName });
      setOutcome({ title: `Imported ${summary.file}`, summary });
      toast('info', `Imported ${describeCounts(summary.counts)}`);
    });

  const pendingName = pending?.kind === 'path' ? pending.file : pending?.fileName;

  return (
    <section aria-labelledby="transfer-title" className="panel">
      <h2 id="transfer-title">Import and export</h2>
      <p className="hint">
        One JSON file with every configuration, task, schedule entry, alert, the settings and the
        run history: the same file as the <code>export</code> and <code>import</code> commands.
        Secrets are sealed with this instance's key (only an instance with the same key opens them)
        or left out when it has none, unless they are included in clear.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={includeSecrets}
          onChange={(e) => setIncludeSecrets(e.target.checked)}
        />{' '}
        Include secrets in clear (keep the file private)
      </label>
      {inBrowser ? (
        <label className="check">
          <input
            type="checkbox"
            checked={withRuns}
            onChange={(e) => setWithRuns(e.target.checked)}
          />{' '}
          Include the run history
        </label>
      ) : null}
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void exportNow()}>
          {inBrowser ? 'Download export' : 'Export to file…'}
        </button>
        <button type="button" disabled={busy} onClick={() => void pickImport()}>
          Import file…
        </button>
        {inBrowser ? (
          <input
            ref={fileInput}
            type="file"
            accept=".json,application/json"
            aria-label="Export file to import"
            className="visually-hidden"
            tabIndex={-1}
            onChange={(e) => void uploadChosen(e.target.files?.[0])}
          />
        ) : null}
      </div>
      {busy ? (
        <p className="hint" role="status">
          Working…
        </p>
      ) : null}
      {error ? <ErrorBox message={error} /> : null}
      {outcome ? (
        <div role="status" aria-label="Import and export result">
          <p>
            <strong>{outcome.title}</strong>: {describeCounts(outcome.summary.counts)}.
          </p>
          {outcome.summary.notes.length ? (
            <ul>
              {outcome.summary.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {pending ? (
        <ConfirmDialog
          title={`Import ${pendingName}?`}
          confirmLabel="Import"
          busy={busy}
          onCancel={() => setPending(undefined)}
          onConfirm={() => void importNow(pending)}
        >
          {pending.kind === 'upload' && pending.counts ? (
            <p>The file holds {describeCounts(pending.counts)}.</p>
          ) : null}
          <p>
            Each record is added, or replaces the record with the same id in this store; records not
            in the file stay as they are and nothing is deleted. Imported settings replace the
            current ones and imported schedule entries start firing. The whole file is checked
            first: if anything in it is wrong, nothing is imported.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
