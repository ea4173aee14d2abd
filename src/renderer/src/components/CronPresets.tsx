/** A row that builds a cron expression from a preset (every N minutes, daily at, …). */
import { useState, type ReactElement } from 'react';
import {
  defaultPreset,
  presetExpression,
  PRESET_LABELS,
  WEEKDAY_NAMES,
  type CronPreset,
  type CronPresetKind,
} from '../cron-presets';

export function CronPresets({ onPick }: { onPick: (cron: string) => void }): ReactElement {
  const [preset, setPreset] = useState<CronPreset>(() => defaultPreset('daily'));
  const result = presetExpression(preset);
  const number = (text: string): number => (text.trim() === '' ? NaN : Number(text));
  return (
    <fieldset className="presets">
      <legend>Start from a preset</legend>
      <select
        aria-label="Preset"
        value={preset.kind}
        onChange={(e) => setPreset(defaultPreset(e.target.value as CronPresetKind))}
      >
        {(Object.keys(PRESET_LABELS) as CronPresetKind[]).map((kind) => (
          <option key={kind} value={kind}>
            {PRESET_LABELS[kind]}
          </option>
        ))}
      </select>
      {preset.kind === 'every-minutes' ? (
        <input
          aria-label="Minutes"
          inputMode="numeric"
          size={4}
          value={Number.isNaN(preset.minutes) ? '' : String(preset.minutes)}
          onChange={(e) => setPreset({ ...preset, minutes: number(e.target.value) })}
        />
      ) : null}
      {preset.kind === 'hourly' ? (
        <input
          aria-label="Minute past the hour"
          inputMode="numeric"
          size={4}
          value={Number.isNaN(preset.minute) ? '' : String(preset.minute)}
          onChange={(e) => setPreset({ ...preset, minute: number(e.target.value) })}
        />
      ) : null}
      {preset.kind === 'weekly' ? (
        <select
          aria-label="Day of the week"
          value={preset.weekday}
          onChange={(e) => setPreset({ ...preset, weekday: Number(e.target.value) })}
        >
          {WEEKDAY_NAMES.map((name, i) => (
            <option key={name} value={i}>
              {name}
            </option>
          ))}
        </select>
      ) : null}
      {preset.kind === 'monthly' ? (
        <input
          aria-label="Day of the month"
          inputMode="numeric"
          size={4}
          value={Number.isNaN(preset.day) ? '' : String(preset.day)}
          onChange={(e) => setPreset({ ...preset, day: number(e.target.value) })}
        />
      ) : null}
      {'time' in preset ? (
        <input
          aria-label="Time of day"
          type="time"
          value={preset.time}
          onChange={(e) => setPreset({ ...preset, time: e.target.value })}
        />
      ) : null}
      <button
        type="button"
        disabled={'error' in result}
        onClick={() => 'cron' in result && onPick(result.cron)}
      >
        Use {'cron' in result ? <code>{result.cron}</code> : 'preset'}
      </button>
      {'error' in result ? (
        <div className="error" role="alert">
          {result.error}
        </div>
      ) : null}
      {preset.kind === 'monthly' && preset.day > 28 ? (
        <div className="hint">
          Months without day {preset.day} are skipped; for the last day of every month write L in
          the day-of-month field (0 9 L * *).
        </div>
      ) : null}
    </fieldset>
  );
}
