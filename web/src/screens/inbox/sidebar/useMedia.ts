import { useSyncExternalStore } from 'react';

/** useMedia follows a CSS media query (false where matchMedia is missing). */
export function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (cb) => {
      if (typeof window === 'undefined' || !window.matchMedia) return () => {};
      const mq = window.matchMedia(query);
      mq.addEventListener('change', cb);
      return () => mq.removeEventListener('change', cb);
    },
    () => (typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query).matches : false),
    () => false,
  );
}

/** The width below which the sidebar becomes an overlay (matches inbox.module.css). */
export const narrowSidebarQuery = '(max-width: 1024px)';
