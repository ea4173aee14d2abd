/** Configurations: list, filter by type, usage, create/edit/duplicate, delete (blocked while used). */
import { useEffect, useState, type ReactElement } from 'react';
import type { ConfigUsage } from '../../../shared/contract';
import { TASK_TYPES, type Configuration, type TaskType } from '../../../shared/domain';
import { ConfigForm } from '../components/ConfigForm';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState, ErrorBox, FilterSelect, Loading } from '../components/common';
import { RowMenu } from '../components/RowMenu';
import { WindowedTable } from '../components/WindowedTable';
import { draftFromConfig, type ConfigDraft } from '../components/config-draft';
import { countOf, nameList } from '../components/lists';
import { useConfirmation } from '../hooks/useConfirmation';
import { useFormKeyboard } from '../hooks/useFormKeyboard';
import { navigate } from '../router';
import { useConfigs } from '../stores/configs';
import { errorMessage } from '../stores/load-state';
import { useUi } from '../stores/ui';

type Editing =
  { mode: 'new' } | { mode: 'edit'; config: Configuration } | { mode: 'copy'; draft: ConfigDraft };

const CONFIG_HEADERS = ['Name', 'Type', 'Target', 'Used by', 'Actions'] as const;

const inUse = (usage: ConfigUsage): boolean => usage.tasks.length + usage.entries.length > 0;

/** Where it works: the url, the file, the MongoDB collection or the database's uri (redacted). */
function targetOf(config: Configuration): string {
  if (config.type === 'api') return config.params.url;
  if (config.type === 'file') return config.params.location;
  const { params } = config;
  return 'collection' in params ? `${params.database}.${params.collection}` : params.uri;
}

/** `tasks: Fetch, Export; 2 schedule entries` (five names at most), or `unused`. */
function describeUsage({ tasks, entries }: ConfigUsage): string {
  if (!inUse({ tasks, entries })) return 'unused';
  const parts = [
    // A handful of names: a configuration many tasks use would otherwise fill the row.
    ...(tasks.length
      ? [
          `tasks: ${nameList(
            tasks.map((t) => t.name),
            5,
          )}`,
        ]
      : []),
    ...(entries.length
      ? [`${entries.length} schedule entr${entries.length === 1 ? 'y' : 'ies'}`]
      : []),
  ];
  return parts.join('; ');
}

export function ConfigsScreen({ openId }: { openId?: string }): ReactElement {
  const { items, status, error, load } = useConfigs();
  // Who uses each configuration comes with the list (`usedBy`), whatever the Tasks screen's
  // filter; events reload it when tasks or entries change (hooks/useEvents.ts).
  useEffect(() => {
    void load();
  }, [load]);
  const [type, setType] = useState<TaskType | ''>('');
  const [editing, setEditing] = useState<Editing | undefined>();
  const {
    pending: confirm,
    ask: setConfirm,
    busy,
    confirm: runConfirmed,
  } = useConfirmation<{ kind: 'one'; config: Configuration } | { kind: 'unused' }>();
  const toast = useUi((s) => s.toast);

  useEffect(() => {
    if (openId === 'new') setEditing({ mode: 'new' });
    else if (openId) {
      const config = items.find((c) => c.id === openId);
      if (config) setEditing({ mode: 'edit', config });
    }
  }, [openId, items]);

  const shown = items.filter((c) => !type || c.type === type);
  const unused = items.filter((c) => !inUse(c.usedBy));
  const unusedCount = unused.length;

  const duplicate = async (config: Configuration): Promise<void> => {
    try {
      // Secrets are redacted in the list; a copy needs them in clear.
      const clear = await useConfigs.getState().reveal(config.id);
      const draft = draftFromConfig(clear);
      delete draft.id;
      delete draft.createdAt;
      delete draft.updatedAt;
      draft.name = `Copy of ${config.name}`;
      setEditing({ mode: 'copy', draft });
    } catch (e) {
      toast('error', errorMessage(e));
    }
  };

  const doDelete = (): Promise<void> =>
    runConfirmed(async (c) => {
      if (c.kind === 'one') {
        await useConfigs.getState().remove(c.config.id);
        return `Deleted configuration ${c.config.name}`;
      }
      const n = await useConfigs.getState().removeUnused();
      return `Deleted ${n} unused configuration${n === 1 ? '' : 's'}`;
    });

  const close = (): void => {
    setEditing(undefined);
    if (openId) navigate('/configs');
  };

  const formKeys = useFormKeyboard(
    editing ? (editing.mode === 'edit' ? editing.config.id : editing.mode) : undefined,
    close,
  );

  return (
    <section aria-labelledby="configs-title">
      <header className="screen-header">
        <h1 id="configs-title">Configurations</h1>
        <div className="toolbar">
          <FilterSelect
            label="Type"
            ariaLabel="Filter configurations by type"
            value={type || undefined}
            options={TASK_TYPES}
            onChange={(t) => setType(t ?? '')}
          />
          <button type="button" className="primary" onClick={() => setEditing({ mode: 'new' })}>
            New configuration
          </button>
          <button
            type="button"
            disabled={unusedCount === 0}
            onClick={() => setConfirm({ kind: 'unused' })}
          >
            Delete all unused ({unusedCount})
          </button>
        </div>
      </header>
      {editing ? (
        <div {...formKeys}>
          <ConfigForm
            key={editing.mode === 'edit' ? editing.config.id : editing.mode}
            {...(editing.mode === 'edit' ? { config: editing.config } : {})}
            {...(editing.mode === 'copy' ? { initial: editing.draft } : {})}
            onSaved={(c) => {
              toast('info', `Saved configuration ${c.name}`);
              close();
            }}
            onCancel={close}
          />
        </div>
      ) : null}
      {status === 'loading' ? <Loading what="configurations" /> : null}
      {status === 'error' ? (
        <ErrorBox message={error ?? 'failed'} onRetry={() => void load()} />
      ) : null}
      {status === 'ready' && items.length === 0 ? (
        <EmptyState title="No configurations yet">
          A configuration says where a task works: an HTTP endpoint, a MongoDB collection or a file.
          Create one with “New configuration”, then create a task that uses it.
        </EmptyState>
      ) : null}
      {shown.length > 0 ? (
        <WindowedTable
          label="Configurations"
          headers={CONFIG_HEADERS}
          items={shown}
          renderRow={(c, rowIndex) => {
            const used = inUse(c.usedBy);
            return (
              <tr key={c.id} aria-rowindex={rowIndex}>
                <td>{c.name}</td>
                <td>{c.type}</td>
                <td className="mono">{targetOf(c)}</td>
                <td>{describeUsage(c.usedBy)}</td>
                <td className="actions">
                  <div className="row-actions">
                    <button
                      type="button"
                      aria-label={`Edit ${c.name}`}
                      onClick={() => setEditing({ mode: 'edit', config: c })}
                    >
                      Edit
                    </button>
                    <RowMenu
                      name={c.name}
                      items={[
                        { label: 'Duplicate', onSelect: () => void duplicate(c) },
                        {
                          label: 'Delete',
                          danger: true,
                          disabled: used,
                          ...(used
                            ? {
                                hint: 'In use: change or delete the tasks and schedule entries that use it first.',
                              }
                            : {}),
                          onSelect: () => setConfirm({ kind: 'one', config: c }),
                        },
                      ]}
                    />
                  </div>
                </td>
              </tr>
            );
          }}
        />
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={
            confirm.kind === 'one'
              ? `Delete configuration “${confirm.config.name}” (${confirm.config.type}, ${targetOf(confirm.config)})?`
              : `Delete ${countOf(unusedCount, 'unused configuration')}: ${nameList(unused.map((c) => c.name))}?`
          }
          confirmLabel="Delete"
          busy={busy}
          onCancel={() => setConfirm(undefined)}
          onConfirm={() => void doDelete()}
        >
          {confirm.kind === 'one'
            ? 'No task or schedule entry uses it. Past runs keep their snapshot of it.'
            : `${unusedCount} configuration${unusedCount === 1 ? '' : 's'} that no task or schedule entry uses will be deleted. Past runs keep their snapshots.`}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
