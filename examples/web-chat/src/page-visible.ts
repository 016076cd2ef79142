import { useSyncExternalStore } from 'react';

const subscribeVisibility = (onChange: () => void) => {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
};

/** Whether the page is in view: an open conversation or room counts as read only then. */
export const usePageVisible = () => useSyncExternalStore(subscribeVisibility, () => document.visibilityState === 'visible');
