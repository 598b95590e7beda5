import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, UnreachableError } from './api/client';
import { keepTokenAsCookie, onTokenChanged } from './api/auth-token';
import { onRecovered, startHeartbeat } from './api/connection';
import { App } from './App';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // While the API is down the connection probe takes over, and refetches everything when it
      // is back; a 4xx will not change by asking again.
      retry: (count, error) =>
        !(error instanceof UnreachableError) && !(error instanceof ApiError && error.status < 500) && count < 2,
      staleTime: 1_000,
    },
  },
});
onRecovered(() => void queryClient.invalidateQueries());
onTokenChanged(() => void keepTokenAsCookie().finally(() => void queryClient.invalidateQueries()));
startHeartbeat();

// The cookie first, so that the first page's event stream is already authorised.
void keepTokenAsCookie().finally(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  ),
);
