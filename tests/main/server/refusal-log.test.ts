/**
 * Access refusals in the log (src/main/server/refusal-log.ts) over a real loopback server: one
 * line per client address and status a minute, the next line counting what was left out, and
 * the path without its query (an event stream's `?token=`). The built service's lines (level,
 * fields, no token) are checked in logging.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RefusalLine } from '../../../src/main/server/refusal-log';
import { FakeClock } from '../../support/fake-clock';
import { raw, serve, type Served } from './helpers';

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

describe('the refusal log', () => {
  it('writes one line per client and status a minute, and then says how many it left out', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const lines: RefusalLine[] = [];
    served = await serve({ clock, refusals: (line) => lines.push(line) });
    const { port } = served;
    const wrong = { Authorization: 'Bearer wrong-token' };
    for (let i = 0; i < 3; i++) {
      expect(
        (await raw(port, { path: '/api/tasks.list', body: '{}', headers: wrong })).status,
      ).toBe(401);
    }
    expect(
      (await raw(port, { method: 'GET', path: '/api/events?token=wrong-token', headers: wrong }))
        .status,
    ).toBe(401);
    expect(lines.map((l) => l.message)).toEqual([
      'HTTP: refused POST /api/tasks.list from 127.0.0.1 with 401: wrong access token',
    ]);

    // Another status from the same client is its own line.
    await raw(port, { path: '/api/tasks.list', body: '{}', headers: { Host: 'evil.example' } });
    expect(lines).toHaveLength(2);
    expect(lines[1]!.fields).toMatchObject({ status: 403, remote: '127.0.0.1' });

    // A minute on: a line again, counting the three 401s left out, the query not written.
    await clock.advance(60_000);
    await raw(port, { method: 'GET', path: '/api/events?token=wrong-token', headers: wrong });
    expect(lines).toHaveLength(3);
    expect(lines[2]!.message).toBe(
      'HTTP: refused GET /api/events from 127.0.0.1 with 401: wrong access token (3 more refused from there since 2026-01-01T00:00:00.000Z)',
    );
    expect(lines[2]!.fields).toEqual({
      status: 401,
      code: 'UNAUTHORIZED',
      method: 'GET',
      path: '/api/events',
      remote: '127.0.0.1',
    });
    expect(JSON.stringify(lines)).not.toContain('wrong-token');
  });
});
