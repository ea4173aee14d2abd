/**
 * Chains when several instances share one store: a runAfter saved on one instance applies to runs
 * ending on another once that one's view of the chains is SHARED_INDEX_MAX_AGE_MS old.
 */
import { afterEach, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { SHARED_INDEX_MAX_AGE_MS } from '../../../src/main/core/chain-dispatch';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { Run } from '../../../src/shared/domain';
import { FakeClock } from '../../support/fake-clock';
import { apiConfigInput, ScriptedExecutor } from './support/core-app';

/** A memory store that says it is shared (it arbitrates fires), as the mongodb store does. */
class SharedMemoryStore extends MemoryStore {
  async claim(): Promise<boolean> {
    return true;
  }
}

const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

/** Resolves with the first run of `taskId` that ends on `app`. */
function nextEnd(app: App, taskId: string): Promise<Run> {
  return new Promise((resolve) => {
    const unsubscribe = app.events.subscribe((event) => {
      if (event.name === 'run.finished' && event.data.run.taskId === taskId) {
        unsubscribe();
        resolve(event.data.run);
      }
    });
  });
}

it('a runAfter saved on another instance applies once this one read the chains 2 s ago', async () => {
  const clock = new FakeClock();
  const store = new SharedMemoryStore();
  const executors = { api: new ScriptedExecutor() };
  const [one, two] = ['one', 'two'].map((instanceId) =>
    createApp({ store, executors, clock, instanceId }),
  ) as [App, App];
  apps.push(one, two);
  await one.start();
  await two.start();
  const config = await one.core.call('configs.save', { config: apiConfigInput() });
  const task = { type: 'api', operation: 'read', configId: config.id } as const;
  const a = await one.core.call('tasks.save', { task: { ...task, name: 'A' } });
  const b = await one.core.call('tasks.save', { task: { ...task, name: 'B' } });
  // Instance two reads the chains when its first run ends: nothing runs after A yet.
  await two.core.call('tasks.run', { id: a.id });

  await one.core.call('tasks.save', {
    task: { ...b, runAfter: [{ taskId: a.id, when: 'succeeded' }] },
  });
  const early = await two.core.call('tasks.run', { id: a.id });
  expect((await two.core.call('runs.list', { parentRunId: early.id })).items).toEqual([]);

  await clock.advance(SHARED_INDEX_MAX_AGE_MS + 1);
  const child = nextEnd(two, b.id);
  const late = await two.core.call('tasks.run', { id: a.id });
  expect(await child).toMatchObject({
    status: 'succeeded',
    instanceId: 'two',
    trigger: { kind: 'chain', parentRunId: late.id },
  });
});
