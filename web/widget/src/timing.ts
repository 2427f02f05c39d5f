// Reconnect and throttle schedules, pure so that tests can pin them down.

// backoffDelay is the wait before reconnect attempt number `attempt` (0 for
// the first retry): exponential from base up to max, with "equal jitter" (a
// random half on top of a fixed half) so that a server restart does not see
// every widget come back in the same second, while no retry is instantaneous.
export function backoffDelay(attempt: number, random: () => number = Math.random, base = 1000, max = 30000): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

// TYPING_INTERVAL_MS bounds how often the visitor's "typing" reaches the server.
export const TYPING_INTERVAL_MS = 3000;

export function shouldSendTyping(now: number, lastSent: number, interval = TYPING_INTERVAL_MS): boolean {
  return now - lastSent >= interval;
}
