// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';
import { clearToken, takeToken } from '../../src/renderer/src/api/token';

describe('service token handling in browser mode', () => {
  beforeEach(() => {
    clearToken();
    window.history.replaceState(null, '', '/');
  });

  it('takes the token from the URL fragment, keeps it in session storage and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/#token=abc123');
    expect(takeToken()).toBe('abc123');
    expect(window.location.hash).toBe('#/');
    expect(window.sessionStorage.getItem('taskScheduler.token')).toBe('abc123');
    expect(takeToken()).toBe('abc123');
  });

  it('keeps a deep link that came with the token', () => {
    window.history.replaceState(null, '', '/#/tasks/t1&token=xyz');
    expect(takeToken()).toBe('xyz');
    expect(window.location.hash).toBe('#/tasks/t1');
  });

  it('has no token until one is given', () => {
    expect(takeToken()).toBeUndefined();
  });
});
