import { describe, expect, it } from 'vitest';
import { claimSingleInstance } from '../../../src/main/electron/single-instance';
import { FakeApp } from './fakes';

describe('single instance', () => {
  it('a second launch focuses the first window', () => {
    const app = new FakeApp();
    let focused = 0;
    expect(claimSingleInstance(app, () => focused++)).toBe(true);
    app.emit('second-instance');
    expect(focused).toBe(1);
  });

  it('the second process quits when the lock is taken', () => {
    const app = new FakeApp();
    app.lockAvailable = false;
    expect(claimSingleInstance(app, () => {})).toBe(false);
    expect(app.quits).toBe(1);
  });
});
