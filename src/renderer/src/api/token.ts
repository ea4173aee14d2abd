/** The service token in browser mode: from `#token=…` once, then from session storage. */
const KEY = 'taskScheduler.token';

/** Takes a token from the URL fragment (removing it from the address bar) or session storage. */
export function takeToken(win: Window = window): string | undefined {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(win.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    win.sessionStorage.setItem(KEY, token);
    const rest = win.location.hash.replace(/[#&]?token=[^&]+/, '').replace(/^#?&?/, '');
    win.history.replaceState(
      null,
      '',
      `${win.location.pathname}${win.location.search}#${rest || '/'}`,
    );
    return token;
  }
  return win.sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string, win: Window = window): void {
  win.sessionStorage.setItem(KEY, token);
}

export function clearToken(win: Window = window): void {
  win.sessionStorage.removeItem(KEY);
}
