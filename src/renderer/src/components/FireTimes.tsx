/** A list of fire times in an entry's zone, flagging the days the zone changes its clocks. */
import type { ReactElement } from 'react';
import { isDstDay } from '../cron-text';
import { formatInZone } from '../zones';

export function FireTimes({
  times,
  zone,
  label,
  className,
}: {
  times: readonly string[];
  zone: string | undefined;
  label?: string;
  className?: string;
}): ReactElement {
  return (
    <ol {...(label ? { 'aria-label': label } : {})} {...(className ? { className } : {})}>
      {times.map((t) => (
        <li key={t}>
          {formatInZone(t, zone)}
          {isDstDay(t, zone) ? (
            <span className="badge badge-timed-out"> DST change this day</span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
