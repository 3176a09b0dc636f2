import type { PaymentEventType, PaymentStatus } from '@payments/schemas';
import { formatDateTime } from '../../../lib/format-time.ts';
import { STATUS_LOOK } from '../../../lib/payment-status.ts';
import type { PaymentEventRecord } from '../api/payments-api.ts';

const EVENT_LOOK: Readonly<Record<PaymentEventType, { label: string; status: PaymentStatus }>> = {
  PaymentRequested: { label: 'Requested', status: 'PENDING' },
  PaymentAuthorized: { label: 'Authorized', status: 'AUTHORIZED' },
  PaymentFlaggedForReview: { label: 'Flagged for review', status: 'REVIEW' },
  PaymentApproved: { label: 'Approved', status: 'APPROVED' },
  PaymentDeclined: { label: 'Declined', status: 'DECLINED' },
};

/** The recorded events, oldest first; those after the as-of time are dimmed ("not yet happened"). */
export function EventTimeline({ events, asOfIso }: { events: readonly PaymentEventRecord[]; asOfIso: string | null }) {
  const asOfMs = asOfIso === null ? null : Date.parse(asOfIso);
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-5" data-testid="event-timeline">
      {events.map((event) => {
        const look = EVENT_LOOK[event.type] ?? { label: event.type, status: 'PENDING' as const };
        const future = asOfMs !== null && Date.parse(event.occurredAt) > asOfMs;
        const decision = event.data.decision;
        const reason = event.data.reason;
        return (
          <li
            key={event.eventId}
            className={`relative ${future ? 'opacity-40' : ''}`}
            data-testid="timeline-event"
            data-event-type={event.type}
            data-future={future || undefined}
          >
            <span
              className={`absolute -left-[1.65rem] top-1 size-3 rounded-full ring-4 ring-white ${STATUS_LOOK[look.status].accent}`}
              aria-hidden="true"
            />
            <div className="flex flex-wrap items-baseline justify-between gap-x-3">
              <p className="text-sm font-semibold text-slate-900">
                {look.label}
                <span className="ml-2 font-mono text-xs font-normal text-slate-400">{event.type}</span>
              </p>
              <time className="text-xs text-slate-500 tabular-nums" dateTime={event.occurredAt}>
                {formatDateTime(event.occurredAt)}
              </time>
            </div>
            <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-600">
              <dt className="text-slate-400">Actor</dt>
              <dd className="font-mono">{event.metadata.actor}</dd>
              {decision && (
                <>
                  <dt className="text-slate-400">Rule</dt>
                  <dd>
                    <span className="font-mono">{decision.ruleId}</span> (rule set v{decision.ruleSetVersion})
                  </dd>
                  <dt className="text-slate-400">Reason</dt>
                  <dd>{decision.reason}</dd>
                </>
              )}
              {event.data.reviewer && (
                <>
                  <dt className="text-slate-400">Reviewer</dt>
                  <dd className="font-mono">{event.data.reviewer}</dd>
                </>
              )}
              {reason !== undefined && (
                <>
                  <dt className="text-slate-400">Reason</dt>
                  <dd>{reason ?? <span className="italic text-slate-400">none given</span>}</dd>
                </>
              )}
              <dt className="text-slate-400">Version</dt>
              <dd className="tabular-nums">
                {event.streamVersion} · position {event.position}
              </dd>
              <dt className="text-slate-400">Correlation</dt>
              <dd className="truncate font-mono" title={event.metadata.correlationId}>
                {event.metadata.correlationId}
              </dd>
            </dl>
          </li>
        );
      })}
    </ol>
  );
}
