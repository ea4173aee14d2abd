/**
 * A `Store` decorator that seals configuration secrets before any backend sees them: every field
 * src/shared/secrets.ts names a secret (api `auth.token` / `auth.password`, sensitive headers and
 * those in `secretHeaders`, `secretQuery` values, `secretVariables` values, the password inside a
 * db `uri` or an http(s) url / location). Reads decrypt; a value that will not decrypt fails
 * loudly and is never rewritten, so a keyring change cannot wipe data.
 */
import { mapAlertSecrets, type Alert } from '../../shared/alerts';
import type { Configuration } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { mapSecretParams } from '../../shared/secrets';
import type { DataProblem, Store } from '../store/types';
import { isCiphertext, type MultiCodec, type SecretCodec } from './codec';
import { UNREADABLE_SECRET, unreadableMessage } from './unreadable-secrets';

type Transform = (value: string) => string;

/** How many opened secret values EncryptingStore keeps (see `opened`). */
const MAX_OPENED = 1024;

/**
 * A copy of the configuration with `fn` applied to every secret field (the walk of
 * `mapSecretParams`, so sealing, redaction and export agree on what a secret is).
 */
export function mapSecretFields(config: Configuration, fn: Transform): Configuration {
  return { ...config, params: mapSecretParams(config, (value) => fn(value)) } as Configuration;
}

/** Every secret value of the configuration, as stored. */
export function secretValues(config: Configuration): string[] {
  const values: string[] = [];
  mapSecretFields(config, (v) => {
    values.push(v);
    return v;
  });
  return values;
}

export class EncryptingStore implements Store {
  // The capabilities of stores that several instances share pass through untouched (they carry
  // no configuration secrets): without them every instance would run every slot.
  readonly claim?: Store['claim'];
  readonly watchSchedules?: Store['watchSchedules'];
  readonly forgetScheduleDeletions?: Store['forgetScheduleDeletions'];
  // So do the reports of stored data that was set aside (docs/storage.md, "Problems").
  /** Configurations whose secrets do not decrypt with the current codec: id → name. */
  private readonly unreadable = new Map<string, string>();
  readonly acknowledgeProblem?: Store['acknowledgeProblem'];
  /**
   * Secret values opened, by ciphertext. The scheduler reads a fired entry's configuration once
   * per batch of fires (tens to hundreds of batches a second under dense schedules: see COALESCE_MS_PER_1000_FIRES in
   * scheduler.ts), and setting up AES-GCM per value cost about as much as the rest of the batch
   * (bench/scheduler.ts, "spread", docs/benchmarks.md). A ciphertext always opens to the same
   * value under the same codec, so the memo is exact; it goes with the codec (setCodec), holds at
   * most MAX_OPENED values, and never a value that did not decrypt.
   */
  private opened = new Map<string, string>();

  constructor(
    private readonly inner: Store,
    private codec: SecretCodec,
  ) {
    if (inner.claim) this.claim = inner.claim.bind(inner);
    if (inner.watchSchedules) this.watchSchedules = inner.watchSchedules.bind(inner);
    if (inner.forgetScheduleDeletions) {
      this.forgetScheduleDeletions = inner.forgetScheduleDeletions.bind(inner);
    }
    if (inner.acknowledgeProblem) this.acknowledgeProblem = inner.acknowledgeProblem.bind(inner);
  }

  get kind(): Store['kind'] {
    return this.inner.kind;
  }
  get location(): string | undefined {
    return this.inner.location;
  }
  get description(): string {
    return this.codec.description;
  }

  /** Switches the codec used from now on (e.g. the user picked another backend in Settings). */
  setCodec(codec: SecretCodec): void {
    this.codec = codec;
    this.opened = new Map();
  }

  /**
   * The configurations exactly as the backend holds them: secrets sealed (or in clear when they
   * were written before encryption was on), never decrypted. What a sealed export writes.
   */
  listStoredConfigs(): Promise<Configuration[]> {
    return this.inner.listConfigs();
  }

  /** Seals one secret value with the current codec. */
  sealValue(plain: string): string {
    return this.codec.encrypt(plain);
  }

  /** Opens one sealed value with the current codec; throws when it does not decrypt. */
  openValue(sealed: string): string {
    let plain = this.opened.get(sealed);
    if (plain === undefined) {
      plain = this.codec.decrypt(sealed);
      if (this.opened.size >= MAX_OPENED) this.opened.clear();
      this.opened.set(sealed, plain);
    }
    return plain;
  }

  private seal(config: Configuration): Configuration {
    return mapSecretFields(config, (v) => this.codec.encrypt(v));
  }

  /** Decrypts every secret; throws when one does not decrypt (re-sealing needs all of them). */
  private open_(config: Configuration): Configuration {
    try {
      // A value without a tag was written before encryption was on; it is sealed on next save.
      return mapSecretFields(config, (v) => (isCiphertext(v) ? this.openValue(v) : v));
    } catch (error) {
      throw new AppError(
        'UNAVAILABLE',
        `Secrets: cannot decrypt the secrets of configuration "${config.name}" (the OS keyring or secret.key changed?); the data is kept; restore the key or re-enter the secret`,
        { configId: config.id, cause: error instanceof Error ? error.message : String(error) },
      );
    }
  }

  /**
   * What reads give the app: every secret decrypted, and one that does not decrypt shown as
   * UNREADABLE_SECRET (the configuration stays listed, editable and deletable; the stored
   * ciphertext is untouched until the user types the secret again).
   */
  private readable(config: Configuration): Configuration {
    let unreadable = false;
    const opened = mapSecretFields(config, (v) => {
      if (!isCiphertext(v)) return v;
      try {
        return this.openValue(v);
      } catch {
        unreadable = true;
        return UNREADABLE_SECRET;
      }
    });
    if (unreadable) this.unreadable.set(config.id, config.name);
    else this.unreadable.delete(config.id);
    return opened;
  }

  /** The store's own problems, and one per configuration whose secrets do not decrypt. */
  problems(): DataProblem[] {
    const own = [...this.unreadable].map(([id, name]): DataProblem => ({
      id: `secrets:${id}`,
      kind: 'config',
      recordId: id,
      message: `Secrets: ${unreadableMessage(name, this.codec.description)}.`,
      acknowledgeable: false,
    }));
    return [...(this.inner.problems?.() ?? []), ...own];
  }

  /**
   * Re-seals every configuration whose secrets were written by another codec (or in clear) with
   * the current one; a configuration that does not decrypt is left untouched and reported.
   */
  async reencryptAll(): Promise<{ rewritten: number; failed: string[] }> {
    const multi = this.codec as Partial<MultiCodec>;
    const isCurrent = (v: string): boolean =>
      isCiphertext(v) && (typeof multi.isCurrent === 'function' ? multi.isCurrent(v) : true);
    let rewritten = 0;
    const failed: string[] = [];
    for (const stored of await this.inner.listConfigs()) {
      let plain: Configuration;
      try {
        plain = this.open_(stored);
      } catch {
        failed.push(stored.name);
        continue;
      }
      if (secretValues(stored).every(isCurrent)) continue;
      await this.inner.putConfig(this.seal(plain));
      rewritten++;
    }
    return { rewritten, failed };
  }

  open(): Promise<void> {
    return this.inner.open();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  async listConfigs(): Promise<Configuration[]> {
    return (await this.inner.listConfigs()).map((c) => this.readable(c));
  }
  async getConfig(id: string): Promise<Configuration | undefined> {
    const stored = await this.inner.getConfig(id);
    return stored && this.readable(stored);
  }
  async putConfig(config: Configuration): Promise<void> {
    if (secretValues(config).includes(UNREADABLE_SECRET)) {
      // Sealing the marker would replace the stored ciphertext, which the old key still opens.
      throw new AppError(
        'VALIDATION',
        `configs.save: ${unreadableMessage(config.name, this.codec.description)}; nothing was saved`,
        { configId: config.id },
      );
    }
    await this.inner.putConfig(this.seal(config));
    this.unreadable.delete(config.id);
  }
  async deleteConfigs(ids: string[]): Promise<number> {
    const deleted = await this.inner.deleteConfigs(ids);
    for (const id of ids) this.unreadable.delete(id);
    return deleted;
  }

  // Alerts: the webhook url and header values and the SMTP password are sealed like
  // configuration secrets (src/shared/alerts.ts); one that does not decrypt fails the read.
  private sealAlert(alert: Alert): Alert {
    return { ...alert, channel: mapAlertSecrets(alert.channel, (v) => this.codec.encrypt(v)) };
  }
  private openAlert(alert: Alert): Alert {
    try {
      const open = (v: string): string => (isCiphertext(v) ? this.openValue(v) : v);
      return { ...alert, channel: mapAlertSecrets(alert.channel, open) };
    } catch (error) {
      throw new AppError(
        'UNAVAILABLE',
        `Secrets: cannot decrypt the secrets of alert "${alert.name}" (the OS keyring or secret.key changed?); the data is kept; restore the key or save the alert again with its secrets`,
        { alertId: alert.id, cause: error instanceof Error ? error.message : String(error) },
      );
    }
  }
  async listAlerts(): Promise<Alert[]> {
    return (await this.inner.listAlerts()).map((a) => this.openAlert(a));
  }
  async getAlert(id: string): Promise<Alert | undefined> {
    const stored = await this.inner.getAlert(id);
    return stored && this.openAlert(stored);
  }
  putAlert: Store['putAlert'] = (alert) => this.inner.putAlert(this.sealAlert(alert));
  deleteAlerts: Store['deleteAlerts'] = (ids) => this.inner.deleteAlerts(ids);

  listTasks: Store['listTasks'] = () => this.inner.listTasks();
  getTask: Store['getTask'] = (id) => this.inner.getTask(id);
  putTask: Store['putTask'] = (task) => this.inner.putTask(task);
  deleteTasks: Store['deleteTasks'] = (ids) => this.inner.deleteTasks(ids);
  listSchedules: Store['listSchedules'] = () => this.inner.listSchedules();
  getSchedule: Store['getSchedule'] = (id) => this.inner.getSchedule(id);
  putSchedule: Store['putSchedule'] = (entry) => this.inner.putSchedule(entry);
  deleteSchedules: Store['deleteSchedules'] = (ids) => this.inner.deleteSchedules(ids);
  saveScheduleState: Store['saveScheduleState'] = (states) => this.inner.saveScheduleState(states);
  getSettings: Store['getSettings'] = () => this.inner.getSettings();
  putSettings: Store['putSettings'] = (settings) => this.inner.putSettings(settings);
  insertRun: Store['insertRun'] = (run) => this.inner.insertRun(run);
  updateRun: Store['updateRun'] = (run) => this.inner.updateRun(run);
  getRun: Store['getRun'] = (id) => this.inner.getRun(id);
  listRuns: Store['listRuns'] = (query) => this.inner.listRuns(query);
  deleteRuns: Store['deleteRuns'] = (which) => this.inner.deleteRuns(which);
  taskIdsWithRuns: Store['taskIdsWithRuns'] = (from, to) => this.inner.taskIdsWithRuns(from, to);
  runStats: Store['runStats'] = (query) => this.inner.runStats(query);
  listRunningRuns: Store['listRunningRuns'] = () => this.inner.listRunningRuns();
  applyRetention: Store['applyRetention'] = (policy, nowMs) =>
    this.inner.applyRetention(policy, nowMs);
  flush: Store['flush'] = () => this.inner.flush();
}
