/** A run's check outcomes (`result.checks`, issue #15) as a table: path, op, value, actual, passed. */
import type { ReactElement } from 'react';
import { z } from 'zod';
import { checkOutcomeSchema, type CheckOutcome } from '../../../shared/checks';

const outcomesSchema = z.array(checkOutcomeSchema);

/** The outcomes recorded in a result, or undefined when it has none (or they do not parse). */
export function checkOutcomesOf(
  result: Record<string, unknown> | undefined,
): CheckOutcome[] | undefined {
  const parsed = outcomesSchema.safeParse(result?.['checks']);
  return parsed.success && parsed.data.length > 0 ? parsed.data : undefined;
}

/** A value as JSON text (so 3 and "3" differ); a shortened actual is already text. */
function shown(value: unknown, asText = false): string {
  if (value === undefined) return '—';
  return asText && typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

export function ChecksOutcomeTable({
  outcomes,
}: {
  outcomes: readonly CheckOutcome[];
}): ReactElement {
  const failed = outcomes.filter((o) => !o.passed).length;
  return (
    <section aria-label="Checks" className="checks-outcome">
      <h3>
        Checks:{' '}
        {failed === 0 ? `all ${outcomes.length} passed` : `${failed} of ${outcomes.length} failed`}
      </h3>
      <div className="table-wrap">
        <table aria-label="Check outcomes">
          <thead>
            <tr>
              <th>Path</th>
              <th>Op</th>
              <th>Value</th>
              <th>Actual</th>
              <th>Passed</th>
            </tr>
          </thead>
          <tbody>
            {outcomes.map((o, i) => (
              <tr key={i}>
                <td className="mono">{o.path}</td>
                <td>{o.op}</td>
                <td className="mono">{shown(o.value)}</td>
                <td className="mono">
                  {'actual' in o ? shown(o.actual, o.actualTruncated) : 'not there'}
                  {o.actualTruncated ? ' (shortened)' : ''}
                </td>
                <td>
                  <span className={`badge badge-${o.passed ? 'succeeded' : 'failed'}`}>
                    {o.passed ? 'passed' : 'failed'}
                  </span>
                  {o.message ? <span className="hint"> {o.message}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
