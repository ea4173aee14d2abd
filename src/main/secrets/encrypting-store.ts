/**
 * A `Store` decorator that seals configuration secrets before any backend sees them: api
 * `auth.token` / `auth.password`, sensitive headers (src/shared/secrets.ts) and the password
 * inside a db `uri`. Reads decrypt; a value that will not decrypt fails loudly and is never
 * rewritten, so a keyring change cannot wipe data.
 */
import type { Configuration } from '../../shared/domain';
import { AppError } from '../../shared/errors';
import { isSensitiveHeader } from '../../shared/secrets';
import type { Store } from '../store/types';
import { isCiphertext, type MultiCodec, type SecretCodec } from './codec';

const URI_PASSWORD = /^(mongodb(?:\+srv)?:\/\/[^:/@]*:)([^@]*)(@)/;

type Transform = (value: string) => string;

function mapHeaders(
  headers: Record<string, string> | undefined,
  fn: Transform,
): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, isSensitiveHeader(k) ? fn(v) : v]),
  );
}

/** A copy of the configuration with `fn` applied to every secret field. */
export function mapSecretFields(config: Configuration, fn: Transform): Configuration {
  switch (config.type) {
    case 'api': {
      const p = { ...config.params };
      if (p.auth?.kind === 'bearer') p.auth = { ...p.auth, token: fn(p.auth.token) };
      else if (p.auth?.kind === 'basic') p.auth = { ...p.auth, password: fn(p.auth.password) };
      if (p.headers) p.headers = mapHeaders(p.headers, fn);
      return { ...config, params: p };
    }
    case 'db': {
      const uri = config.params.uri.replace(
        URI_PASSWORD,
        (_m, head: string, pw: string, at: string) => `${head}${fn(pw)}${at}`,
      );
      return { ...config, params: { ...config.params, uri } };
    }
    case 'file':
      return config.params.headers
        ? {
            ...config,
            params: { ...config.params, headers: mapHeaders(config.params.headers, fn) },
          }
        : config;
  }
}

/** Every secret value of the configuration, as stored. */
function secretValues(config: Configuration): string[] {
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

  constructor(
    private readonly inner: Store,
    private codec: SecretCodec,
  ) {
    if (inner.claim) this.claim = inner.claim.bind(inner);
    if (inner.watchSchedules) this.watchSchedules = inner.watchSchedules.bind(inner);
    if (inner.forgetScheduleDeletions) {
      this.forgetScheduleDeletions = inner.forgetScheduleDeletions.bind(inner);
    }
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
    return this.codec.decrypt(sealed);
  }

  private seal(config: Configuration): Configuration {
    return mapSecretFields(config, (v) => this.codec.encrypt(v));
  }

  private open_(config: Configuration): Configuration {
    try {
      // A value without a tag was written before encryption was on; it is sealed on next save.
      return mapSecretFields(config, (v) => (isCiphertext(v) ? this.codec.decrypt(v) : v));
    } catch (error) {
      throw new AppError(
        'UNAVAILABLE',
        `Secrets: cannot decrypt the secrets of configuration "${config.name}" (the OS keyring or secret.key changed?); the data is kept; restore the key or re-enter the secret`,
        { configId: config.id, cause: error instanceof Error ? error.message : String(error) },
      );
    }
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
    return (await this.inner.listConfigs()).map((c) => this.open_(c));
  }
  async getConfig(id: string): Promise<Configuration | undefined> {
    const stored = await this.inner.getConfig(id);
    return stored && this.open_(stored);
  }
  putConfig(config: Configuration): Promise<void> {
    return this.inner.putConfig(this.seal(config));
  }
  deleteConfigs(ids: string[]): Promise<number> {
    return this.inner.deleteConfigs(ids);
  }

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
  listRunningRuns: Store['listRunningRuns'] = () => this.inner.listRunningRuns();
  applyRetention: Store['applyRetention'] = (policy, nowMs) =>
    this.inner.applyRetention(policy, nowMs);
  flush: Store['flush'] = () => this.inner.flush();
}
