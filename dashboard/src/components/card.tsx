import type { ReactNode } from 'react';

interface CardProps {
  title?: ReactNode;
  /** Id of the heading, for aria-labelledby on the section. */
  titleId?: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  bodyClassName?: string;
  testId?: string;
}

export function Card({ title, titleId, actions, children, className = '', bodyClassName = 'p-4', testId }: CardProps) {
  return (
    <section
      className={`min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm ${className}`}
      aria-labelledby={title ? titleId : undefined}
      data-testid={testId}
    >
      {(title || actions) && (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
          {title && (
            <h2 id={titleId} className="text-sm font-semibold text-slate-800">
              {title}
            </h2>
          )}
          {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
        </header>
      )}
      <div className={bodyClassName}>{children}</div>
    </section>
  );
}
