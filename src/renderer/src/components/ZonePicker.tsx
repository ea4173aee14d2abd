/** A searchable time zone field: an input with a datalist of every zone and its UTC offset. */
import { useMemo, type ReactElement } from 'react';
import { systemZone, zoneList, zoneOffset } from '../zones';

interface ZonePickerProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
  value: string;
  onChange: (zone: string) => void;
  /** Zones to offer besides `Intl`'s list, e.g. the entry's stored zone. */
  extra?: readonly string[];
  placeholder?: string;
}

export function ZonePicker({
  value,
  onChange,
  extra,
  placeholder,
  ...field
}: ZonePickerProps): ReactElement {
  const listId = `${field.id}-zones`;
  const key = (extra ?? []).join('\n');
  const options = useMemo(() => {
    const now = Date.now();
    const system = systemZone();
    return zoneList(key ? key.split('\n') : []).map((zone) => {
      const offset = zoneOffset(zone, now);
      return { zone, label: zone === system ? `${offset}, system zone` : offset };
    });
  }, [key]);
  return (
    <>
      <input
        {...field}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={listId}>
        {options.map((o) => (
          <option key={o.zone} value={o.zone} label={o.label} />
        ))}
      </datalist>
    </>
  );
}
