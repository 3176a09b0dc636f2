import { UserMenu } from '../features/auth/components/user-menu.tsx';
import { ConnectionIndicator } from '../features/connection/components/connection-indicator.tsx';

export function AppHeader({ onReconnect }: { onReconnect(): void }) {
  return (
    <header className="sticky top-0 z-30 bg-slate-900 text-white shadow">
      <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3">
        <div className="flex items-center gap-3">
          <span className="grid size-8 place-items-center rounded-lg bg-sky-500/15 text-sky-400" aria-hidden="true">
            <svg
              aria-hidden="true"
              viewBox="0 0 24 24"
              className="size-5"
              fill="none"
              stroke="currentColor"
              strokeWidth="2.5"
              strokeLinecap="round"
              strokeLinejoin="round"
            >
              <path d="M4 16l5-6 4 4 7-9" />
            </svg>
          </span>
          <div className="leading-tight">
            <p className="text-[11px] font-semibold uppercase tracking-widest text-sky-400">Payments</p>
            <h1 className="text-base font-semibold">Operations console</h1>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <ConnectionIndicator onReconnect={onReconnect} />
          <UserMenu />
        </div>
      </div>
    </header>
  );
}
