/**
 * The banner of problems with the stored data: records set aside, a catalog moved away, run
 * segments lost or damaged (docs/storage.md, "Problems"). Each stays until it is acknowledged
 * (or, for a shared database, fixed).
 */
import { useEffect, type ReactElement } from 'react';
import { useProblems } from '../stores/problems';

export function ProblemsBanner(): ReactElement | null {
  const { problems, error, load, acknowledge } = useProblems();
  useEffect(() => {
    void load();
  }, [load]);
  if (problems.length === 0) return null;
  const title = `${problems.length} problem${problems.length === 1 ? '' : 's'} with the stored data`;
  return (
    <section className="warning problems" role="alert" aria-label={title}>
      <strong>{title}</strong>
      <ul>
        {problems.map((p) => (
          <li key={p.id}>
            <span>{p.message}</span>{' '}
            {p.acknowledgeable ? (
              <button
                type="button"
                aria-label={`Acknowledge: ${p.message}`}
                onClick={() => void acknowledge(p.id)}
              >
                Acknowledge
              </button>
            ) : (
              <em>Goes away once the data is fixed.</em>
            )}
          </li>
        ))}
      </ul>
      {error ? <p className="error">{error}</p> : null}
    </section>
  );
}
