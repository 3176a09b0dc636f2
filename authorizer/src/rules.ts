// The risk rules: a pure, versioned rule set. The default is the original system's: an amount below 10000
// major units is authorized, anything from 10000 up goes to manual review. Thresholds can be set per
// currency (10000 JPY is not 10000 BHD). Every decision records the rule, the rule-set version and the
// inputs it used, so a decision can be explained and replayed over history.
import { currencyExponent, type NewEvent, type PaymentRequested, type RuleDecision } from '@payments/schemas';

export type RuleSet = {
  version: number;
  /** Review threshold in major units, per currency; `default` for the others. */
  reviewThresholdMajor: { default: bigint } & Record<string, bigint>;
};

export const DEFAULT_RULE_SET: RuleSet = { version: 1, reviewThresholdMajor: { default: 10_000n } };

export class UndecidableError extends Error {
  readonly code = 'undecidable';
}

export function reviewThresholdMinor(ruleSet: RuleSet, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new UndecidableError(`unknown currency ${currency}`);
  const major = Object.hasOwn(ruleSet.reviewThresholdMajor, currency)
    ? (ruleSet.reviewThresholdMajor[currency] as bigint)
    : ruleSet.reviewThresholdMajor.default;
  return major * 10n ** BigInt(exponent);
}

/** Decides a requested payment: PaymentAuthorized below the threshold, PaymentFlaggedForReview from it up. */
export function decidePayment(requested: PaymentRequested['data'], ruleSet: RuleSet = DEFAULT_RULE_SET): NewEvent {
  const threshold = reviewThresholdMinor(ruleSet, requested.currency);
  const amount = BigInt(requested.amountMinor);
  const flagged = amount >= threshold;
  const decision: RuleDecision = {
    ruleId: 'amount-threshold',
    ruleSetVersion: ruleSet.version,
    reason: flagged ? 'amount at or above the review threshold' : 'amount below the review threshold',
    inputs: { amountMinor: requested.amountMinor, currency: requested.currency, reviewThresholdMinor: Number(threshold) },
  };
  const data = { paymentId: requested.paymentId, decision };
  return flagged ? { type: 'PaymentFlaggedForReview', data } : { type: 'PaymentAuthorized', data };
}

/** Parses `JPY=1000000,BHD=5000` into per-currency thresholds over the default. */
export function parseThresholds(spec: string | undefined, version: number): RuleSet {
  const reviewThresholdMajor: RuleSet['reviewThresholdMajor'] = { default: DEFAULT_RULE_SET.reviewThresholdMajor.default };
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([A-Z]{3}|default)=(\d{1,15})$/.exec(part);
    if (!match?.[1] || !match[2]) throw new Error(`bad review threshold "${part}" (expected CUR=amount)`);
    reviewThresholdMajor[match[1]] = BigInt(match[2]);
  }
  const ruleSet = { version, reviewThresholdMajor };
  // every threshold must be recordable on a decision event: at least one minor unit, a safe integer
  for (const currency of Object.keys(reviewThresholdMajor)) {
    const exponent = currency === 'default' ? 4 : currencyExponent(currency);
    if (exponent === undefined) throw new Error(`bad review threshold: unknown currency ${currency}`);
    const minor = (reviewThresholdMajor[currency] as bigint) * 10n ** BigInt(exponent);
    if (minor < 1n || minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`bad review threshold for ${currency}: out of range`);
  }
  return ruleSet;
}
