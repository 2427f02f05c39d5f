// Delivery ticks of outbound messages: a clock while pending, ✓ sent,
// ✓✓ delivered, ✓✓ in the primary colour when read, ! when failed.

export type Tick = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

const ticks: readonly string[] = ['pending', 'sent', 'delivered', 'read', 'failed'];

/** tickState is the tick to show under a message, or null (inbound, notes, events). */
export function tickState(m: { direction: string; kind: string; status: string }): Tick | null {
  if (m.direction !== 'out' || m.kind === 'note' || m.kind === 'event') return null;
  return ticks.includes(m.status) ? (m.status as Tick) : null;
}
