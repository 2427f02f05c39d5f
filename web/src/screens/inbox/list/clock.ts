// One shared clock for every ticking badge of the list (thermometers, "5 min"
// times): a single setInterval while anything listens, read through
// useSyncExternalStore, so rows re-render each second without refetching and
// without one timer per row.
import { useSyncExternalStore } from 'react';

type Listener = () => void;

/** createClock is a ticking clock; exported for tests with a fake timer and time source. */
export function createClock(periodMs = 1000, read: () => number = Date.now) {
  let now = read();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<Listener>();
  const tick = () => {
    now = read();
    for (const l of listeners) l();
  };
  return {
    subscribe(l: Listener): () => void {
      listeners.add(l);
      if (!timer) {
        now = read();
        timer = setInterval(tick, periodMs);
      }
      return () => {
        listeners.delete(l);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    now: () => now,
    running: () => timer !== undefined,
  };
}

const clock = createClock();

/** stepped rounds a time down to a multiple of step, so a minute-granular reader changes once a minute. */
export function stepped(now: number, step: number): number {
  return step <= 1 ? now : Math.floor(now / step) * step;
}

/** useNow is the shared clock's time, rounded down to `step` ms (re-renders only when that changes). */
export function useNow(step = 1000): number {
  return useSyncExternalStore(
    clock.subscribe,
    () => stepped(clock.now(), step),
    () => stepped(Date.now(), step),
  );
}
