/**
 * The service's refusal spread over a form (issue #17, "Messages"): each issue of
 * `details.issues` (`{ path: ['config','params','url'], message }`) goes under the form's field
 * for its path, shown there by `Field` (aria-invalid, aria-describedby); what no field of the
 * form shows (a refusal without issues, a path the form has no field for) goes under `_`, the
 * banner above the buttons; when every issue sits at its field the banner only says so. The
 * banner never repeats what a field says.
 */
import { fieldIssuesOf } from '../../../shared/errors';
import { errorMessage, sentence } from '../stores/load-state';

/** Messages by form field key; `_` is the form-level (banner) message. */
export type FieldErrors = Record<string, string>;

/**
 * The form's key for a path inside the entity (`params.url` → `url`), or undefined when the form
 * has no field for it.
 */
export type FieldKeyOf = (path: string) => string | undefined;

/**
 * `error` as field errors of a form editing `entity` (`config`, `task`, `entry`; '' when the
 * params are the entity's fields themselves). `keyOf` (default: the dotted path) names the field;
 * an issue it has no field for is put in the banner with its path.
 */
export function serverErrors(
  error: unknown,
  entity: string,
  keyOf: FieldKeyOf = (path) => path || undefined,
  /** What did not happen, for the banner when every issue sits at its field. */
  outcome = 'nothing was saved',
): FieldErrors {
  const issues = fieldIssuesOf(error);
  if (issues.length === 0) return { _: errorMessage(error) };
  const out: FieldErrors = {};
  const unplaced: string[] = [];
  for (const issue of issues) {
    const path = entity && issue.path[0] === entity ? issue.path.slice(1) : issue.path;
    const dotted = path.join('.');
    const key = keyOf(dotted);
    if (key !== undefined && key !== '_') {
      out[key] ??= issue.message;
    } else {
      unplaced.push(dotted ? `${dotted}: ${issue.message}` : issue.message);
    }
  }
  const placed = Object.keys(out).length;
  if (unplaced.length > 0) out._ = sentence(unplaced.join('; '));
  else out._ = `Fix the highlighted field${placed > 1 ? 's' : ''}; ${outcome}.`;
  return out;
}

/** The errors left once the user changed `keys`: theirs and the banner's go (they are stale). */
export function withoutStale(errors: FieldErrors, keys: readonly string[]): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).filter(([key]) => key !== '_' && !keys.includes(key)),
  );
}
