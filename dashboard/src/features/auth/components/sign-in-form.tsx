import { DEV_CLIENTS } from '@payments/schemas';
import { type FormEvent, useId, useState } from 'react';
import { Button, FOCUS_RING } from '../../../components/button.tsx';
import { useSessionStore } from '../stores/session-store.ts';

const INPUT = `block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-sky-600 ${FOCUS_RING}`;

export function SignInForm() {
  const signIn = useSessionStore((s) => s.signIn);
  const pending = useSessionStore((s) => s.pending);
  const error = useSessionStore((s) => s.error);
  const notice = useSessionStore((s) => s.notice);
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const ids = { client: useId(), secret: useId(), error: useId() };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (clientId.trim() === '' || clientSecret === '') return;
    void signIn(clientId, clientSecret);
  };

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-describedby={error ? ids.error : undefined} noValidate>
      {notice && (
        <p
          role="status"
          className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-600/30"
          data-testid="sign-in-notice"
        >
          {notice}
        </p>
      )}
      <div>
        <label htmlFor={ids.client} className="mb-1.5 block text-sm font-medium text-slate-700">
          Client id
        </label>
        <input
          id={ids.client}
          name="clientId"
          autoComplete="username"
          required
          className={INPUT}
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          data-testid="sign-in-client-id"
          aria-invalid={error ? true : undefined}
        />
      </div>
      <div>
        <label htmlFor={ids.secret} className="mb-1.5 block text-sm font-medium text-slate-700">
          Client secret
        </label>
        <input
          id={ids.secret}
          name="clientSecret"
          type="password"
          autoComplete="current-password"
          required
          className={INPUT}
          value={clientSecret}
          onChange={(e) => setClientSecret(e.target.value)}
          data-testid="sign-in-client-secret"
          aria-invalid={error ? true : undefined}
        />
      </div>
      {error && (
        <p
          id={ids.error}
          role="alert"
          className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-600/30"
          data-testid="sign-in-error"
        >
          {error}
        </p>
      )}
      <Button
        type="submit"
        variant="primary"
        className="w-full"
        disabled={pending || clientId.trim() === '' || clientSecret === ''}
        data-testid="sign-in-submit"
      >
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
      {import.meta.env.DEV && (
        <fieldset className="border-t border-slate-100 pt-4">
          <legend className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">Development clients</legend>
          <div className="flex flex-wrap gap-2">
            {/* the development clients `npm start` seeds (README), offered in dev builds only */}
            {DEV_CLIENTS.map((client) => (
              <Button
                key={client.clientId}
                size="sm"
                onClick={() => {
                  setClientId(client.clientId);
                  setClientSecret(client.secret);
                }}
              >
                {client.label}
              </Button>
            ))}
          </div>
        </fieldset>
      )}
    </form>
  );
}
