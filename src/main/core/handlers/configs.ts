/**
 * `configs.*`: list (with who uses each), get (secrets redacted unless revealed), save (secrets
 * sent back redacted are kept; no type change while used), delete (refused while used), delete the
 * unused ones, and test (a dry run without a task).
 */
import type { ConfigUsage } from '../../../shared/contract';
import { REDACTED, type Configuration, type ConfigurationInput } from '../../../shared/domain';
import { AppError, invalidField } from '../../../shared/errors';
import { containsRedacted, redactConfig, restoreSecrets } from '../../../shared/secrets';
import {
  checkConfigParams,
  checkFileLocation,
  checkOperation,
  checkTemplates,
} from '../config-rules';
import type { AreaHandlers, CoreContext } from './context';

/** `task "Fetch", schedule entry e1`: for messages. */
function describeUsers(usage: ConfigUsage): string {
  return [
    ...usage.tasks.map((task) => `task "${task.name}"`),
    ...usage.entries.map((entry) => `schedule entry ${entry.id}`),
  ].join(', ');
}

export function configHandlers(core: CoreContext): AreaHandlers<'configs'> {
  const { store } = core.options;

  /**
   * The input with the stored secrets it sent back redacted restored, checked: no redaction
   * marker left, params by the config rules. `unkept` says why a marker may be left.
   */
  const restoredInput = async (
    input: ConfigurationInput,
    where: string,
    unkept: string,
  ): Promise<{ existing: Configuration | undefined; restored: ConfigurationInput }> => {
    const existing = input.id ? await core.requireConfig(input.id, where) : undefined;
    const restored = restoreSecrets(input, existing);
    if (containsRedacted(restored)) {
      throw invalidField(
        'config.params',
        `holds the redaction marker "${REDACTED}"${unkept}; type the secret itself`,
      );
    }
    checkConfigParams(restored, 'config');
    // Save and test only: records read back stay usable (see each check).
    checkFileLocation(restored, 'config');
    checkTemplates(restored, 'config');
    return { existing, restored };
  };

  /** The input as a configuration with this id, created when `existing` was, updated now. */
  const stamped = (
    restored: ConfigurationInput,
    existing: Configuration | undefined,
    id: string,
  ): Configuration => {
    const now = core.now();
    return {
      ...restored,
      id,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    } as Configuration;
  };

  return {
    'configs.list': async ({ type, unused }) => {
      const usage = await core.configUsage();
      let configs = await store.listConfigs();
      if (type) configs = configs.filter((c) => c.type === type);
      if (unused) configs = configs.filter((c) => !usage.has(c.id));
      return configs
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
        .map((config) => ({
          ...redactConfig(config),
          usedBy: usage.get(config.id) ?? { tasks: [], entries: [] },
        }));
    },

    'configs.get': async ({ id, reveal }) => {
      const config = await core.requireConfig(id, 'configs.get');
      return reveal ? config : redactConfig(config);
    },

    'configs.save': async ({ config: input }) => {
      const { existing, restored } = await restoredInput(
        input,
        'configs.save',
        ' where no secret is stored',
      );
      if (existing && existing.type !== restored.type) {
        const users = (await core.configUsage()).get(existing.id);
        if (users) {
          throw new AppError(
            'CONFLICT',
            `configuration "${existing.name}" is used by ${describeUsers(users)}; its type cannot change from ${existing.type} to ${restored.type}`,
          );
        }
      }
      const config = stamped(restored, existing, existing?.id ?? core.options.ids());
      await store.putConfig(config);
      core.changed('configs');
      return redactConfig(config);
    },

    'configs.delete': async ({ id }) => {
      const config = await core.requireConfig(id, 'configs.delete');
      const users = (await core.configUsage()).get(id);
      if (users) {
        throw new AppError(
          'CONFLICT',
          `configuration "${config.name}" is used by ${describeUsers(users)}; point them at another configuration or delete them first`,
        );
      }
      const deleted = await store.deleteConfigs([id]);
      core.changed('configs');
      return { deleted };
    },

    'configs.deleteUnused': async () => {
      const usage = await core.configUsage();
      const unused = (await store.listConfigs()).filter((c) => !usage.has(c.id)).map((c) => c.id);
      const deleted = unused.length ? await store.deleteConfigs(unused) : 0;
      if (deleted) core.changed('configs');
      return { deleted };
    },

    'configs.test': async ({ config: input, operation, input: sampleInput }) => {
      const { existing, restored } = await restoredInput(input, 'configs.test', '');
      const config = stamped(restored, existing, restored.id ?? '');
      checkOperation(config, operation, '');
      return core.options.runner.start({
        task: undefined,
        config,
        operation,
        trigger: { kind: 'test' },
        ...(sampleInput === undefined ? {} : { sampleInput }),
      }).finished;
    },
  };
}
