// @vitest-environment jsdom
/**
 * The configuration form and chains (issue #15): the placeholder picker inserts at the cursor of
 * the focused field and, for the configuration of a chained task, lists the parent's paths; Test
 * sends the parent's last result as the sample input, or none when unticked. Real core, real api
 * executor, local HTTP server.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigForm } from '../../src/renderer/src/components/ConfigForm';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import type { Configuration, Task } from '../../src/shared/domain';
import { startChainFixture, type ChainFixture } from './support/chain-fixture';

let chain: ChainFixture;
let user: UserEvent;
let fetch: Task;
beforeEach(async () => {
  chain = await startChainFixture();
  user = userEvent.setup();
  fetch = chain.fetch;
  await chain.saveSendAfterFetch();
  await chain.loadStores();
});
afterEach(async () => {
  cleanup();
  await chain.close();
});

const configNamed = (name: string): Configuration =>
  useConfigs.getState().items.find((c) => c.name === name)!;

function renderForm(name: string): { saved: Configuration[] } {
  const saved: Configuration[] = [];
  render(
    <ConfigForm
      config={configNamed(name)}
      onSaved={(c) => saved.push(c)}
      onCancel={() => undefined}
    />,
  );
  return { saved };
}

const openPicker = (): Promise<void> =>
  user.click(screen.getByRole('button', { name: /^Placeholders/ }));

describe('the placeholder picker in the configuration form', () => {
  it('inserts the picked placeholder at the cursor of the field focused last, and it is saved', async () => {
    const { saved } = renderForm('items api');
    const url = screen.getByLabelText('URL', { exact: true }) as HTMLInputElement;
    await user.click(url);
    const at = `${chain.target.url}/`.length;
    url.setSelectionRange(at, at);
    await openPicker();
    await user.click(screen.getByRole('button', { name: '{{run.id}}' }));

    expect(url).toHaveValue(`${chain.target.url}/{{run.id}}items`);
    expect(url).toHaveFocus();
    expect(screen.getByText('Inserted {{run.id}} into “URL”.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.params).toMatchObject({ url: `${chain.target.url}/{{run.id}}items` });
  });

  it("offers the paths of the parent's last result for the configuration of a chained task", async () => {
    await chain.run(fetch);
    renderForm('echo api');
    const body = screen.getByLabelText('Body (JSON)');
    await user.click(body);
    await openPicker();
    const paths = await screen.findByRole('list', { name: "Paths in the parent's last result" });
    await user.click(within(paths).getByRole('button', { name: '{{input.body.items}}' }));
    expect(body).toHaveValue('{{input.body.items}}');
  });

  it('says the parent has no result yet instead of listing paths', async () => {
    renderForm('echo api');
    await openPicker();
    expect(await screen.findByText(/has no result yet: run it once/)).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: "Paths in the parent's last result" })).toBeNull();
  });
});

describe('Test of the configuration of a chained task', () => {
  it("sends the parent's last result as the input, and none once unticked", async () => {
    await chain.childrenOf(await chain.run(fetch));
    renderForm('echo api');
    const withInput = await screen.findByRole('checkbox', {
      name: /Test with the last result of “Fetch items” .* as input/,
    });
    expect(withInput).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Test' }));
    const result = await screen.findByRole('region', { name: 'Test result' });
    await waitFor(() => expect(result).toHaveTextContent('succeeded'));
    expect(result).toHaveTextContent(`${chain.target.url}/echo?n=3`);

    await user.click(withInput);
    await user.click(screen.getByRole('button', { name: 'Test' }));
    await waitFor(() =>
      expect(screen.getByRole('region', { name: 'Test result' })).toHaveTextContent(
        'INVALID_CONFIG',
      ),
    );
  });

  it('says the parent has no result yet, and tests without an input', async () => {
    renderForm('echo api');
    expect(
      await screen.findByText(/“Send count” runs after “Fetch items”, which has no result yet/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('checkbox', { name: /Test with the last result/ })).toBeNull();
  });

  it('offers no sample input for a configuration no chained task uses', async () => {
    renderForm('items api');
    await user.click(screen.getByRole('button', { name: 'Test' }));
    await screen.findByRole('region', { name: 'Test result' });
    expect(screen.queryByText(/Test with the last result/)).toBeNull();
    expect(screen.queryByText(/has no result yet/)).toBeNull();
  });
});
