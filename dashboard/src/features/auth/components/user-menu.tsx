import { Button } from '../../../components/button.tsx';
import { useSessionStore } from '../stores/session-store.ts';

const ROLE_LABEL = { merchant: 'Merchant', analyst: 'Analyst', viewer: 'Viewer (read only)' } as const;

export function UserMenu() {
  const session = useSessionStore((s) => s.session);
  const signOut = useSessionStore((s) => s.signOut);
  if (session === null) return null;
  return (
    <div className="flex items-center gap-3">
      <div className="hidden text-right leading-tight sm:block">
        <p className="text-sm font-medium text-white" data-testid="session-client">
          {session.clientId}
        </p>
        <p className="text-xs text-slate-400" data-testid="session-role" data-role={session.role}>
          {ROLE_LABEL[session.role]}
          {session.merchantId ? ` · ${session.merchantId}` : ''}
        </p>
      </div>
      <Button size="sm" variant="inverse" onClick={() => signOut('user')} data-testid="sign-out">
        Sign out
      </Button>
    </div>
  );
}
