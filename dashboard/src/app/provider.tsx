// App-wide wiring done once: the API client learns where the token is and what a 401 means.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useSessionStore } from '../features/auth/stores/session-store.ts';
import { configureApiClient } from '../lib/api-client.ts';

configureApiClient({
  getToken: () => useSessionStore.getState().session?.token ?? null,
  onUnauthorized: () => useSessionStore.getState().signOut('expired'),
});

/** A render error shows a way back instead of a blank page. */
export class AppErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Console crashed', error, info.componentStack);
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div role="alert" className="mx-auto mt-20 max-w-md rounded-xl border border-rose-200 bg-white p-6 shadow">
        <h1 className="text-lg font-semibold text-slate-900">Something went wrong</h1>
        <p className="mt-2 text-sm text-slate-600">{this.state.error.message}</p>
        <button
          type="button"
          className="mt-4 rounded-md bg-slate-900 px-3 py-2 text-sm text-white"
          onClick={() => window.location.reload()}
        >
          Reload the console
        </button>
      </div>
    );
  }
}
