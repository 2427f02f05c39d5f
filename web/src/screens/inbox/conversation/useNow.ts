import { useEffect, useState } from 'react';

/** useNow is the current time, refreshed every `every` ms (0: not at all). */
export function useNow(every: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!every) return;
    setNow(Date.now());
    const h = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(h);
  }, [every]);
  return now;
}
