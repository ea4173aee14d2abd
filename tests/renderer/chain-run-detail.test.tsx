// @vitest-environment jsdom
/**
 * The run detail of chained runs (issue #15): the parent run linked from the trigger, the input
 * (the parent's result), each check's outcome, and the runs a run started, live. Runs come from
 * the real core and api executor against a local HTTP server.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import type { Task } from '../../src/shared/domain';
import { startChainFixture, type ChainFixture } from './support/chain-fixture';

describe('the run detail of a chain', () => {
  let chain: ChainFixture;
  let fetch: Task;
  let send: Task;
  beforeEach(async () => {
    chain = await startChainFixture();
    fetch = chain.fetch;
    send = await chain.saveSendAfterFetch({
      checks: [
        { path: 'body.query.n', op: 'equals', value: '3' },
        { path: 'statusCode', op: 'equals', value: 201 },
      ],
    });
    await chain.loadStores();
  });
  afterEach(async () => {
    cleanup();
    await chain.close();
  });

  it("shows a chained run's trigger with a link to its parent, its input and each check's outcome", async () => {
    const parent = await chain.run(fetch);
    const [child] = await chain.childrenOf(parent);
    expect(child).toMatchObject({ taskId: send.id, status: 'failed' });

    render(<HistoryScreen openId={child!.id} />);
    const detail = await screen.findByRole('region', { name: 'Run detail' });
    await waitFor(() => expect(detail).toHaveTextContent('CHECK_FAILED'));
    expect(within(detail).getByText(/^chain/)).toHaveTextContent(
      'chain after the run of “Fetch items”',
    );
    expect(within(detail).getByRole('link', { name: 'Parent run' })).toHaveAttribute(
      'href',
      `#/history/${parent.id}`,
    );

    const input = within(detail).getByRole('region', { name: 'Input' });
    await waitFor(() => expect(input).toHaveTextContent('The result of the run of “Fetch items”'));
    expect(input).toHaveTextContent(`GET ${chain.target.url}/items → 200`);

    const rows = within(within(detail).getByRole('table', { name: 'Check outcomes' })).getAllByRole(
      'row',
    );
    expect(rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      [],
      ['body.query.n', 'equals', '"3"', '"3"', 'passed'],
      ['statusCode', 'equals', '201', '200', 'failed actual 200'],
    ]);
    expect(within(detail).getByRole('region', { name: 'Checks' })).toHaveTextContent(
      'Checks: 1 of 2 failed',
    );
  });

  it('lists the runs a run started, with their status, as they start and end', async () => {
    const release = chain.target.hold();
    const parent = await chain.core.app.core.call('tasks.run', { id: fetch.id, wait: false });
    render(<HistoryScreen openId={parent.id} />);
    const detail = await screen.findByRole('region', { name: 'Run detail' });
    await waitFor(() => expect(detail).toHaveTextContent('running'));
    expect(within(detail).queryByRole('region', { name: 'Runs it started' })).toBeNull();
    expect(within(detail).queryByRole('region', { name: 'Input' })).toBeNull();

    release();
    const [child] = await chain.childrenOf(parent);
    const started = await within(detail).findByRole('region', { name: 'Runs it started' });
    await waitFor(() => expect(started).toHaveTextContent('failed'));
    const link = within(started).getByRole('link', { name: /Send count \(chain, / });
    expect(link).toHaveAttribute('href', `#/history/${child!.id}`);
  });
});
