/**
 * Which tab syncs (src/sync/leadership.ts), on Node's own Web Locks (`navigator.locks`, the same
 * API as the browser's), with pages and a channel the tests drive: one leader at a time, a frozen
 * leader gives way at once, a hidden one gives way to a visible tab that waits.
 */
import { describe, expect, it } from 'vitest';
import type { Leadership, LeadershipChannel, PageLifecycle } from '../../../src/sync/leadership.ts';
import { holdLeadership } from '../../../src/sync/leadership.ts';
import type { Scheduler } from '../../../src/sync/scheduler.ts';

let lockCounter = 0;
const realScheduler: Scheduler = {
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      });
    }),
  now: () => new Date(),
  random: () => 0.5,
};

/** A page whose visibility and lifecycle the test sets. */
class TestPage implements PageLifecycle {
  private readonly target = new EventTarget();
  isHidden = false;
  hidden(): boolean {
    return this.isHidden;
  }
  on(type: 'freeze' | 'resume' | 'visibilitychange', listener: () => void): () => void {
    this.target.addEventListener(type, listener);
    return () => this.target.removeEventListener(type, listener);
  }
  fire(type: 'freeze' | 'resume' | 'visibilitychange'): void {
    this.target.dispatchEvent(new Event(type));
  }
}

/** Channels of one station's tabs: a post reaches every other tab. */
function channels(): () => LeadershipChannel {
  const all = new Set<{ listeners: Set<() => void> }>();
  return () => {
    const own = { listeners: new Set<() => void>() };
    all.add(own);
    return {
      post: () => all.forEach((other) => other !== own && other.listeners.forEach((listener) => queueMicrotask(listener))),
      onMessage(listener) {
        own.listeners.add(listener);
        return () => own.listeners.delete(listener);
      },
      close: () => all.delete(own),
    };
  };
}

interface Tab {
  page: TestPage;
  leadership: Leadership;
  /** Terms this tab has started, and how many of them have been told to stop. */
  started: number;
  stopsAsked: number;
}

function openTab(name: string, channel: () => LeadershipChannel, stop: () => Promise<void> = () => Promise.resolve()): Tab {
  const page = new TestPage();
  const tab = { page, started: 0, stopsAsked: 0 } as Tab;
  tab.leadership = holdLeadership({
    name,
    locks: navigator.locks,
    page,
    channel: channel(),
    scheduler: realScheduler,
    lead: () => {
      tab.started++;
      return Promise.resolve(() => {
        tab.stopsAsked++;
        return stop();
      });
    },
  });
  return tab;
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('sync leadership between tabs', () => {
  it('lets one tab lead at a time, and the next one when it closes', async () => {
    const name = `test-lock-${++lockCounter}`;
    const channel = channels();
    const first = openTab(name, channel);
    await first.leadership.settled;
    const second = openTab(name, channel);
    await second.leadership.settled;
    expect(first.leadership.leading).toBe(true);
    expect(second.leadership.leading).toBe(false);

    await first.leadership.stop();
    await until(() => second.leadership.leading, 'the second tab to lead');
    expect(first.stopsAsked).toBe(1);
    await second.leadership.stop();
  });

  it('gives the lock up at once when the page is frozen, though stopping cannot finish, and asks again on resume', async () => {
    const name = `test-lock-${++lockCounter}`;
    const channel = channels();
    // A frozen page runs nothing: its stop never finishes while it is frozen.
    const frozenStop: { finish?: () => void } = {};
    const first = openTab(name, channel, () => (frozenStop.finish === undefined ? new Promise<void>((resolve) => (frozenStop.finish = resolve)) : Promise.resolve()));
    await first.leadership.settled;
    const second = openTab(name, channel);
    await second.leadership.settled;

    first.page.fire('freeze');
    await until(() => second.leadership.leading, 'the second tab to take over from the frozen one');
    expect(first.leadership.leading).toBe(false);
    expect(first.stopsAsked).toBe(1);

    first.page.fire('resume');
    frozenStop.finish?.();
    await second.leadership.stop();
    await until(() => first.leadership.leading, 'the resumed tab to lead again');
    expect(first.started).toBe(2);
    await first.leadership.stop();
  });

  it('a hidden leader hands over to a visible tab that waits, and a visible leader does not', async () => {
    const name = `test-lock-${++lockCounter}`;
    const channel = channels();
    const first = openTab(name, channel);
    await first.leadership.settled;
    const second = openTab(name, channel);
    await second.leadership.settled;
    second.page.fire('visibilitychange');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(first.leadership.leading).toBe(true);

    first.page.isHidden = true;
    first.page.fire('visibilitychange');
    await until(() => second.leadership.leading, 'the visible tab to take over');
    expect(first.leadership.leading).toBe(false);

    // The hidden tab waits in line and does not take sync back while the other is visible.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(first.started).toBe(1);
    await second.leadership.stop();
    await until(() => first.leadership.leading, 'the hidden tab to lead when it is the only one');
    await first.leadership.stop();
  });

  it('a tab that becomes visible while a hidden one leads takes over', async () => {
    const name = `test-lock-${++lockCounter}`;
    const channel = channels();
    const first = openTab(name, channel);
    await first.leadership.settled;
    first.page.isHidden = true;
    first.page.fire('visibilitychange');
    const second = openTab(name, channel);
    second.page.isHidden = true;
    await second.leadership.settled;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(first.leadership.leading).toBe(true);

    second.page.isHidden = false;
    second.page.fire('visibilitychange');
    await until(() => second.leadership.leading, 'the tab brought to the front to lead');
    await Promise.all([first.leadership.stop(), second.leadership.stop()]);
  });

  it('leads alone without Web Locks, and stops when told', async () => {
    let stops = 0;
    const leadership = holdLeadership({
      name: 'unused',
      scheduler: realScheduler,
      lead: () => Promise.resolve(() => Promise.resolve(void stops++)),
    });
    await leadership.settled;
    expect(leadership.leading).toBe(true);
    await leadership.stop();
    expect(leadership.leading).toBe(false);
    expect(stops).toBe(1);
  });

  it('when sync fails to start, says so, lets another tab try, and asks again later', async () => {
    const name = `test-lock-${++lockCounter}`;
    const errors: unknown[] = [];
    let attempts = 0;
    const sleeps: number[] = [];
    const leadership = holdLeadership({
      name,
      locks: navigator.locks,
      scheduler: { ...realScheduler, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) },
      onError: (error) => errors.push(error),
      lead: () => {
        attempts++;
        if (attempts < 3) return Promise.reject(new Error('database closed'));
        return Promise.resolve(() => Promise.resolve());
      },
    });
    await until(() => leadership.leading, 'leading after two failed starts');
    expect(errors.map(String)).toEqual(['Error: database closed', 'Error: database closed']);
    expect(sleeps).toHaveLength(2);
    await leadership.stop();
  });
});
