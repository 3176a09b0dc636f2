import { SignInPage } from '../features/auth/components/sign-in-page.tsx';
import { useSessionStore } from '../features/auth/stores/session-store.ts';
import { Console } from './console.tsx';
import { AppErrorBoundary } from './provider.tsx';

export function App() {
  const session = useSessionStore((s) => s.session);
  return <AppErrorBoundary>{session === null ? <SignInPage /> : <Console session={session} />}</AppErrorBoundary>;
}
