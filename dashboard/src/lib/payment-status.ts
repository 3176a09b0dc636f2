// How each payment status and outcome is shown everywhere (badges, KPI cards, chart series): one table so
// the colours mean the same thing on every surface. Colour is never the only signal: each has its text and
// a distinct glyph.
import type { Outcome, PaymentStatus } from '@payments/schemas';

export interface StatusLook {
  label: string;
  /** Tailwind classes of the badge (background, text, ring). */
  badge: string;
  /** Dot/accent colour (Tailwind class) for cards. */
  accent: string;
  /** Chart stroke colour. */
  color: string;
  glyph: string;
}

export const STATUS_LOOK: Readonly<Record<PaymentStatus, StatusLook>> = {
  PENDING: {
    label: 'Pending',
    badge: 'bg-indigo-50 text-indigo-800 ring-indigo-600/30',
    accent: 'bg-indigo-500',
    color: '#6366f1',
    glyph: '◷',
  },
  AUTHORIZED: { label: 'Authorized', badge: 'bg-sky-50 text-sky-800 ring-sky-600/30', accent: 'bg-sky-500', color: '#0ea5e9', glyph: '✓' },
  REVIEW: {
    label: 'Under review',
    badge: 'bg-amber-50 text-amber-900 ring-amber-600/40',
    accent: 'bg-amber-500',
    color: '#d97706',
    glyph: '⚑',
  },
  APPROVED: {
    label: 'Approved',
    badge: 'bg-emerald-50 text-emerald-800 ring-emerald-600/30',
    accent: 'bg-emerald-500',
    color: '#059669',
    glyph: '✔',
  },
  DECLINED: { label: 'Declined', badge: 'bg-rose-50 text-rose-800 ring-rose-600/30', accent: 'bg-rose-500', color: '#e11d48', glyph: '✕' },
};

/** The series of /api/stats/series and of the live chart: which status a transition led to. */
export const OUTCOME_OF_STATUS: Readonly<Record<PaymentStatus, Outcome>> = {
  PENDING: 'requested',
  AUTHORIZED: 'authorized',
  REVIEW: 'review',
  APPROVED: 'approved',
  DECLINED: 'declined',
};

export const OUTCOME_LOOK: Readonly<Record<Outcome, { label: string; color: string }>> = {
  requested: { label: 'Requested', color: STATUS_LOOK.PENDING.color },
  authorized: { label: 'Authorized', color: STATUS_LOOK.AUTHORIZED.color },
  review: { label: 'Flagged for review', color: STATUS_LOOK.REVIEW.color },
  approved: { label: 'Approved', color: STATUS_LOOK.APPROVED.color },
  declined: { label: 'Declined', color: STATUS_LOOK.DECLINED.color },
};
