/**
 * What the template tests (templates-*.test.ts) share: one context with every built-in value
 * and a chained input, and helpers that render a template and expect it to work or to fail.
 */
import {
  renderTemplate,
  type TemplateContext,
  type TemplateMode,
} from '../../../src/shared/templates';

export const context: TemplateContext = {
  now: '2026-12-01T10:30:00.000Z',
  run: { id: 'run-1', scheduledFor: '2026-12-01T00:00:00.000Z' },
  task: { id: 'task-1', name: 'Save items' },
  parent: { id: 'run-0', scheduledFor: '2026-11-30T23:00:00.000Z' },
  input: { result: { statusCode: 200, body: { items: [1, 2, 3], total: 3, name: 'a b&c' } } },
};

export function text(
  template: string,
  ctx: TemplateContext = context,
  mode: TemplateMode = 'text',
): unknown {
  const rendered = renderTemplate(template, ctx, mode);
  if (!rendered.ok) throw new Error(rendered.message);
  return rendered.value;
}

export function failure(
  template: string,
  ctx: TemplateContext = context,
  mode: TemplateMode = 'text',
): { message: string; at: number } {
  const rendered = renderTemplate(template, ctx, mode);
  if (rendered.ok) throw new Error(`rendered ${JSON.stringify(rendered.value)}`);
  return { message: rendered.message, at: rendered.at };
}
