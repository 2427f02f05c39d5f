import { MutationCache, QueryCache, QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { Toaster } from 'sonner';
import { ApiError } from './api/client';
import { useMe } from './api/queries';
import { RealtimeProvider } from './realtime/RealtimeProvider';
import { LoginScreen } from './screens/auth/LoginScreen';
import { SetupScreen } from './screens/auth/SetupScreen';
import { AppShell } from './screens/shell/AppShell';
import { InboxScreen } from './screens/inbox/InboxScreen';
import { usePrefs } from './state/ui';
import { Spinner, toastError } from './ui';

const SettingsScreen = lazy(() => import('./screens/settings/SettingsScreen'));

function makeClient() {
  const onError = (err: unknown) => {
    if (err instanceof ApiError && err.status === 401) return; // the auth gate sends the user to /login
    toastError(err);
  };
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (query.meta?.silent) return;
        if (err instanceof ApiError && err.status === 404) return; // screens show their own "not found"
        onError(err);
      },
    }),
    mutationCache: new MutationCache({ onError: (err, _v, _c, m) => !m.meta?.silent && onError(err) }),
    defaultOptions: {
      queries: {
        retry: (n, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && n < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

const client = makeClient();

function ThemeSync() {
  const theme = usePrefs((s) => s.theme);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      const dark = theme === 'dark' || (theme === 'system' && mq.matches);
      document.documentElement.dataset.theme = dark ? 'dark' : 'light';
    };
    apply();
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, [theme]);
  const dark = typeof document !== 'undefined' && document.documentElement.dataset.theme === 'dark';
  return <Toaster position="bottom-left" richColors closeButton theme={dark ? 'dark' : 'light'} toastOptions={{ duration: 5000 }} />;
}

function FullPageSpinner() {
  return (
    <div style={{ display: 'grid', placeItems: 'center', height: '100%' }}>
      <Spinner size={24} label="…" />
    </div>
  );
}

/** RequireUser renders its children for a logged-in user and sends anyone else to /login. */
function RequireUser({ children }: { children: ReactNode }) {
  const me = useMe();
  const loc = useLocation();
  if (me.isPending) return <FullPageSpinner />;
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
    }
    return <FullPageSpinner />;
  }
  return <RealtimeProvider>{children}</RealtimeProvider>;
}

function LoggedOutOnly({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useMe();
  useEffect(() => {
    if (me.isSuccess) void qc.invalidateQueries();
  }, [me.isSuccess, qc]);
  if (me.isSuccess) return <Navigate to="/inbox/mine" replace />;
  return <>{children}</>;
}

export function App() {
  return (
    <QueryClientProvider client={client}>
      <ThemeSync />
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoggedOutOnly><LoginScreen /></LoggedOutOnly>} />
          <Route path="/setup" element={<SetupScreen />} />
          <Route
            element={
              <RequireUser>
                <AppShell />
              </RequireUser>
            }
          >
            <Route path="/inbox/:view?/:conversationId?" element={<InboxScreen />} />
            <Route
              path="/settings/:section?"
              element={
                <Suspense fallback={<FullPageSpinner />}>
                  <SettingsScreen />
                </Suspense>
              }
            />
          </Route>
          <Route path="*" element={<Navigate to="/inbox/mine" replace />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
