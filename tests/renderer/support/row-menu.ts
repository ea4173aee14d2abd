/** Chooses a row action that lives in the row's overflow menu (“More actions for <row>”). */
import { screen, within } from '@testing-library/react';
import type userEvent from '@testing-library/user-event';

export async function chooseRowAction(
  user: ReturnType<typeof userEvent.setup>,
  row: string,
  action: string,
): Promise<void> {
  await user.click(await screen.findByRole('button', { name: `More actions for ${row}` }));
  const menu = screen.getByRole('menu', { name: `More actions for ${row}` });
  await user.click(within(menu).getByRole('menuitem', { name: action }));
}
