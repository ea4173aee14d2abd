/** This instance's recent alert deliveries (alerts.deliveries): test messages marked "(test)". */
import type { ReactElement } from 'react';
import type { AlertDelivery } from '../../../../shared/alerts';
import { formatTime } from '../../util';

export function DeliveriesTable({ deliveries }: { deliveries: AlertDelivery[] }): ReactElement {
  if (deliveries.length === 0) {
    return <p className="hint">No alert was sent by this instance since it started.</p>;
  }
  return (
    <table aria-label="Recent deliveries">
      <thead>
        <tr>
          <th>At</th>
          <th>Alert</th>
          <th>Channel</th>
          <th>Event</th>
          <th>Status</th>
          <th>Attempt</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id}>
            <td>{formatTime(d.at)}</td>
            <td>
              {d.alertName}
              {d.test ? ' (test)' : ''}
            </td>
            <td>{d.channel}</td>
            <td>{d.event}</td>
            <td>{d.status}</td>
            <td>{d.attempt}</td>
            <td>{d.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
