import { SignInForm } from './sign-in-form.tsx';

export function SignInPage() {
  return (
    <div className="flex min-h-dvh flex-col">
      <div className="bg-slate-900 px-4 pb-28 pt-10 text-center text-white">
        <p className="text-xs font-semibold uppercase tracking-widest text-sky-400">Payments platform</p>
        <h1 className="mt-2 text-2xl font-semibold">Operations console</h1>
      </div>
      <main className="-mt-20 flex flex-1 justify-center px-4 pb-10">
        <div className="h-fit w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-lg">
          <h2 className="mb-5 text-lg font-semibold text-slate-900">Sign in</h2>
          <SignInForm />
        </div>
      </main>
    </div>
  );
}
