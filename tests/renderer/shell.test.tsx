// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { parseRoute } from '../../src/renderer/src/router';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { until } from './support/core-client';
import { coreForEachTest } from './support/core-per-test';

const go = (hash: string): void =>
  act(() => {
    window.location.hash = hash;
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });

describe('routes', () => {
  it('parses segments and decodes them', () => {
    expect(parseRoute('#/history/r%201')).toEqual({
      segments: ['history', 'r 1'],
      malformed: false,
    });
    expect(parseRoute('')).toEqual({ segments: [], malformed: false });
  });

  it('calls a hash with a broken %-escape malformed instead of throwing', () => {
    expect(parseRoute('#/history/%E0')).toEqual({ segments: [], malformed: true });
    expect(parseRoute('#/%')).toEqual({ segments: [], malformed: true });
  });
});

describe('the app shell', () => {
  const ctx = coreForEachTest();
  beforeEach(async () => {
    window.location.hash = '#/';
  });

  async function saveTask(name: string): Promise<string> {
    const config = await ctx.core.app.core.call('configs.save', {
      config: { name: `${name} API`, type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const task = await ctx.core.app.core.call('tasks.save', {
      task: { name, type: 'api', operation: 'read', configId: config.id },
    });
    return task.id;
  }

  it('shows "not found" with a link home for a malformed hash, and the app stays usable', async () => {
    window.location.hash = '#/history/%E0';
    render(<App client={ctx.core.client} />);
    const notFound = screen.getByRole('region', { name: 'Not found' });
    expect(notFound).toHaveTextContent('not a valid link');
    expect(within(notFound).getByRole('link', { name: 'Go to the Dashboard' })).toHaveAttribute(
      'href',
      '#/',
    );
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
    go('#/');
    expect(await screen.findByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  });

  it('says an unknown screen is not found', () => {
    window.location.hash = '#/nowhere';
    render(<App client={ctx.core.client} />);
    expect(screen.getByRole('region', { name: 'Not found' })).toHaveTextContent(
      'There is no screen “nowhere”.',
    );
  });

  it('opens the palette with Ctrl+K, filters with typing and jumps to a task with Enter', async () => {
    const id = await saveTask('Fetch orders');
    await saveTask('Export users');
    const user = userEvent.setup();
    render(<App client={ctx.core.client} />);
    await until(() => useTasks.getState().items.length === 2, 'the tasks');
    await user.keyboard('{Control>}k{/Control}');
    const palette = screen.getByRole('dialog', { name: 'Command palette' });
    const input = within(palette).getByRole('combobox', { name: 'Go to or run' });
    expect(input).toHaveFocus();
    await user.type(input, 'open task fetch');
    const options = within(palette).getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['Open task Fetch orders task']);
    expect(input).toHaveAttribute('aria-activedescendant', options[0]!.id);
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).not.toBeInTheDocument();
    expect(window.location.hash).toBe(`#/tasks/${id}`);
  });

  it('moves through the palette with the arrow keys and runs a task from it', async () => {
    const id = await saveTask('Fetch orders');
    const user = userEvent.setup();
    render(<App client={ctx.core.client} />);
    await until(() => useTasks.getState().items.length === 1, 'the task');
    await user.keyboard('{Control>}k{/Control}');
    const input = screen.getByRole('combobox', { name: 'Go to or run' });
    await user.type(input, 'fetch');
    const [open, runIt] = screen.getAllByRole('option');
    expect(open).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowDown}');
    expect(runIt).toHaveAttribute('aria-selected', 'true');
    expect(runIt).toHaveTextContent('Run task Fetch orders');
    await user.keyboard('{ArrowUp}{ArrowDown}{Enter}');
    await waitFor(async () =>
      expect((await ctx.core.app.core.call('runs.list', { taskId: id })).items).toHaveLength(1),
    );
    expect(await screen.findByText('Started Fetch orders')).toBeInTheDocument();
  });

  it('closes the palette with Escape and gives focus back', async () => {
    const user = userEvent.setup();
    render(<App client={ctx.core.client} />);
    const settings = screen.getByRole('link', { name: 'Settings' });
    settings.focus();
    await user.keyboard('{Meta>}k{/Meta}');
    expect(screen.getByRole('dialog', { name: 'Command palette' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).not.toBeInTheDocument();
    expect(settings).toHaveFocus();
  });

  it('does not open the palette over a confirmation', async () => {
    await ctx.core.app.core.call('configs.save', {
      config: { name: 'Unused', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    window.location.hash = '#/configs';
    const user = userEvent.setup();
    render(<App client={ctx.core.client} />);
    await user.click(await screen.findByRole('button', { name: 'Delete all unused (1)' }));
    await user.keyboard('{Control>}k{/Control}');
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
    expect(screen.queryByRole('dialog', { name: 'Command palette' })).not.toBeInTheDocument();
  });

  it('jumps to a screen from the palette', async () => {
    const user = userEvent.setup();
    render(<App client={ctx.core.client} />);
    await user.keyboard('{Control>}k{/Control}');
    await user.type(screen.getByRole('combobox'), 'go to sched');
    await user.click(screen.getByRole('option', { name: 'Go to Schedules screen' }));
    expect(window.location.hash).toBe('#/schedules');
  });
});
