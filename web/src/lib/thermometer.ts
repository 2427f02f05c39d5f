// The waiting thermometer (DESIGN §3, seed 003): how long the customer has
// waited for a reply, coloured green / yellow / red by the workspace's
// thresholds. The server sends waiting_since; the browser ticks it locally.

export type Level = 'green' | 'yellow' | 'red';

/** waitedSeconds is how long a customer waiting since `since` (ms) has waited at `now` (ms). */
export function waitedSeconds(since: number | null | undefined, now: number): number | null {
  if (since == null) return null;
  return Math.max(0, Math.floor((now - since) / 1000));
}

/**
 * level matches the server's conversation.Level: green up to yellowAfter
 * seconds, yellow up to redAfter, red after.
 */
export function level(waited: number, yellowAfter: number, redAfter: number): Level {
  if (waited > redAfter) return 'red';
  if (waited > yellowAfter) return 'yellow';
  return 'green';
}

/** waitLabel renders a wait as "45 s", "12 min", "3 h 05", "2 d 4 h". */
export function waitLabel(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')}`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}
