// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { render, screen, within } from '@testing-library/react';
import axe from 'axe-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { at, run } from '../support/fixtures';
import { coreForEachTest } from './support/core-per-test';

describe('the History run list for assistive technology', () => {
  const ctx = coreForEachTest();
  beforeEach(async () => {
    for (let i = 0; i < 100; i++) await ctx.core.app.store.insertRun(run(`r${i}`, at(i)));
  });

  it('says the list size and each row’s position with list attributes, not aria-rowcount', async () => {
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    expect(list).not.toHaveAttribute('aria-rowcount');
    const [first, second] = within(list).getAllByRole('listitem');
    expect(first).toHaveAttribute('aria-posinset', '1');
    expect(second).toHaveAttribute('aria-posinset', '2');
    expect(first).toHaveAttribute('aria-setsize', list.getAttribute('data-count'));
  });

  it('names the columns to screen readers instead of hiding the header row', async () => {
    render(<HistoryScreen />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    expect(list).toHaveAccessibleDescription(
      /^Columns:\s*Status,\s*Task,\s*Configuration,\s*Type,\s*Trigger,\s*Started,\s*Duration$/,
    );
    expect(document.querySelector('.run-head')).not.toHaveAttribute('aria-hidden');
  });

  it('has no axe violations in the list, the filters and the header (contrast is checked in Chromium)', async () => {
    const { container } = render(<HistoryScreen />);
    await screen.findByRole('list', { name: 'Runs' });
    const results = await axe.run(container, {
      rules: { 'color-contrast': { enabled: false }, region: { enabled: false } },
    });
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
});
