import { FOCUS_RING } from '../../../components/button.tsx';
import { useConnectionStore } from '../stores/connection-store.ts';

const LOOK = {
  live: { dot: 'bg-emerald-400', ring: 'ring-emerald-400/40', text: 'text-emerald-200' },
  reconnecting: { dot: 'bg-amber-400 animate-pulse', ring: 'ring-amber-400/40', text: 'text-amber-200' },
  offline: { dot: 'bg-rose-500', ring: 'ring-rose-400/40', text: 'text-rose-200' },
} as const;

/** Live / Reconnecting (n) / Offline, with a "Reconnect now" when not live. */
export function ConnectionIndicator({ onReconnect }: { onReconnect?: () => void }) {
  const state = useConnectionStore((s) => s.state);
  const retries = useConnectionStore((s) => s.retries);
  const connecting = useConnectionStore((s) => s.connecting);
  const detail = useConnectionStore((s) => s.detail);
  const lastPosition = useConnectionStore((s) => s.lastPosition);
  const look = LOOK[state];
  const label = state === 'live' ? 'Live' : state === 'offline' ? 'Offline' : connecting ? 'Connecting' : `Reconnecting (${retries})`;
  const title = [detail, lastPosition !== null ? `Last position ${lastPosition}` : null].filter(Boolean).join(' · ');

  return (
    <div className="flex items-center gap-2">
      <span
        role="status"
        aria-live="polite"
        title={title || undefined}
        className={`inline-flex items-center gap-2 rounded-full bg-slate-800 px-3 py-1 text-xs font-medium ring-1 ${look.ring} ${look.text}`}
        data-testid="connection-state"
        data-state={state}
        data-retries={retries}
        data-position={lastPosition ?? ''}
      >
        <span className={`size-2 rounded-full ${look.dot}`} aria-hidden="true" />
        {label}
      </span>
      {state !== 'live' && onReconnect && !connecting && (
        <button
          type="button"
          onClick={onReconnect}
          className={`rounded-md px-2 py-1 text-xs text-slate-300 underline-offset-2 hover:text-white hover:underline ${FOCUS_RING}`}
          data-testid="reconnect-now"
        >
          Reconnect now
        </button>
      )}
    </div>
  );
}
