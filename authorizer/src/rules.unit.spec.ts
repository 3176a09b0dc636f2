// Specifications of the risk rules: given a requested payment and a rule set, then PaymentAuthorized below the
// review threshold or PaymentFlaggedForReview from it up, with the decision explaining itself.
import { MinorUnitsSchema, type NewEvent, type PaymentRequested } from '@payments/schemas';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, decidePayment, parseThresholds, reviewThresholdMinor, UndecidableError } from './rules.ts';

const paymentId = '0190a0b0-0000-7000-8000-000000000001';

const requested = (amountMinor: number, currency: string): PaymentRequested['data'] => ({
  paymentId,
  merchantId: 'M1',
  amountMinor,
  currency,
  reference: null,
});

const outcomeOf = (event: NewEvent) => event.type;

/** The decision recorded on an authorizer event (both of its event types carry one). */
function decisionOf(event: NewEvent) {
  if (event.type !== 'PaymentAuthorized' && event.type !== 'PaymentFlaggedForReview') {
    throw new Error(`expected a decision, got ${event.type}`);
  }
  return event.data.decision;
}

describe('the default rule set: review from 10000 major units up', () => {
  it('5000 INR (500000 paise) is authorized', () => {
    expect(outcomeOf(decidePayment(requested(500_000, 'INR')))).toBe('PaymentAuthorized');
  });

  it('15000 INR (1500000 paise) is flagged for review', () => {
    expect(outcomeOf(decidePayment(requested(1_500_000, 'INR')))).toBe('PaymentFlaggedForReview');
  });

  it('exactly 10000 INR (1000000 paise) is flagged: the threshold itself goes to review', () => {
    expect(outcomeOf(decidePayment(requested(1_000_000, 'INR')))).toBe('PaymentFlaggedForReview');
  });

  it('9999.99 INR (999999 paise), one paisa under the threshold, is authorized', () => {
    expect(outcomeOf(decidePayment(requested(999_999, 'INR')))).toBe('PaymentAuthorized');
  });

  it('the JPY threshold is 10000 minor units (exponent 0)', () => {
    expect(reviewThresholdMinor(DEFAULT_RULE_SET, 'JPY')).toBe(10_000n);
    expect(outcomeOf(decidePayment(requested(9_999, 'JPY')))).toBe('PaymentAuthorized');
    expect(outcomeOf(decidePayment(requested(10_000, 'JPY')))).toBe('PaymentFlaggedForReview');
  });

  it('the BHD threshold is 10000000 fils (exponent 3)', () => {
    expect(reviewThresholdMinor(DEFAULT_RULE_SET, 'BHD')).toBe(10_000_000n);
    expect(outcomeOf(decidePayment(requested(9_999_999, 'BHD')))).toBe('PaymentAuthorized');
    expect(outcomeOf(decidePayment(requested(10_000_000, 'BHD')))).toBe('PaymentFlaggedForReview');
  });

  it('the INR threshold is 1000000 paise (exponent 2)', () => {
    expect(reviewThresholdMinor(DEFAULT_RULE_SET, 'INR')).toBe(1_000_000n);
  });
});

describe('the decision explains itself', () => {
  it('an authorization records the rule, the rule-set version, the reason and the inputs it used', () => {
    expect(decidePayment(requested(500_000, 'INR'))).toEqual({
      type: 'PaymentAuthorized',
      data: {
        paymentId,
        decision: {
          ruleId: 'amount-threshold',
          ruleSetVersion: 1,
          reason: 'amount below the review threshold',
          inputs: { amountMinor: 500_000, currency: 'INR', reviewThresholdMinor: 1_000_000 },
        },
      },
    });
  });

  it('a flag for review records the rule, the rule-set version, the reason and the inputs it used', () => {
    expect(decidePayment(requested(1_500_000, 'INR'))).toEqual({
      type: 'PaymentFlaggedForReview',
      data: {
        paymentId,
        decision: {
          ruleId: 'amount-threshold',
          ruleSetVersion: 1,
          reason: 'amount at or above the review threshold',
          inputs: { amountMinor: 1_500_000, currency: 'INR', reviewThresholdMinor: 1_000_000 },
        },
      },
    });
  });
});

describe('per-currency thresholds', () => {
  const ruleSet = parseThresholds('JPY=1000000,BHD=5000', 2);

  it('parses the spec over the default threshold, with the given version', () => {
    expect(ruleSet).toEqual({ version: 2, reviewThresholdMajor: { default: 10_000n, JPY: 1_000_000n, BHD: 5_000n } });
  });

  it('JPY reviews from 1000000 yen up', () => {
    expect(outcomeOf(decidePayment(requested(999_999, 'JPY'), ruleSet))).toBe('PaymentAuthorized');
    expect(outcomeOf(decidePayment(requested(1_000_000, 'JPY'), ruleSet))).toBe('PaymentFlaggedForReview');
  });

  it('BHD reviews from 5000.000 BHD (5000000 fils) up', () => {
    expect(outcomeOf(decidePayment(requested(4_999_999, 'BHD'), ruleSet))).toBe('PaymentAuthorized');
    expect(outcomeOf(decidePayment(requested(5_000_000, 'BHD'), ruleSet))).toBe('PaymentFlaggedForReview');
  });

  it('a currency without its own threshold keeps the default', () => {
    expect(outcomeOf(decidePayment(requested(999_999, 'INR'), ruleSet))).toBe('PaymentAuthorized');
    expect(outcomeOf(decidePayment(requested(1_000_000, 'INR'), ruleSet))).toBe('PaymentFlaggedForReview');
  });

  it('records ruleSetVersion 2 and the per-currency threshold in minor units', () => {
    expect(decisionOf(decidePayment(requested(5_000_000, 'BHD'), ruleSet))).toMatchObject({
      ruleSetVersion: 2,
      inputs: { amountMinor: 5_000_000, currency: 'BHD', reviewThresholdMinor: 5_000_000 },
    });
  });

  it('`default=` replaces the default threshold', () => {
    const raised = parseThresholds('default=20000', 3);
    expect(outcomeOf(decidePayment(requested(1_999_999, 'INR'), raised))).toBe('PaymentAuthorized');
    expect(outcomeOf(decidePayment(requested(2_000_000, 'INR'), raised))).toBe('PaymentFlaggedForReview');
  });

  it('no spec (unset or empty) is the default rule set with the given version', () => {
    expect(parseThresholds(undefined, 1)).toEqual(DEFAULT_RULE_SET);
    expect(parseThresholds('', 4)).toEqual({ version: 4, reviewThresholdMajor: { default: 10_000n } });
  });

  it('tolerates spaces and empty parts', () => {
    expect(parseThresholds(' JPY=1000000 , ,BHD=5000 ,', 2)).toEqual(ruleSet);
  });

  it.each(['JPY', 'JPY=', 'JPY=abc', 'jpy=1000', 'JPY=-5', 'JPY=1.5', 'JPY=1000000000000000', 'YENS=1000', 'JPY=1000;BHD=5000'])(
    'a bad threshold spec "%s" is refused at start-up',
    (spec) => {
      expect(() => parseThresholds(spec, 1)).toThrow(/bad review threshold/);
    },
  );

  // Decision events must validate (MinorUnitsSchema: an integer in [1, MAX_SAFE_INTEGER]) or every consumer
  // would dead-letter them, so thresholds outside it stop the authorizer at start-up.
  it.each(['JPY=0', 'BHD=999999999999999', 'default=0'])(
    'a threshold no decision event could record ("%s") is refused at start-up',
    (spec) => {
      expect(() => parseThresholds(spec, 1)).toThrow(/bad review threshold/);
    },
  );

  it('the largest recordable threshold is accepted and recorded exactly', () => {
    const ruleSet = parseThresholds('BHD=9007199254740', 1);
    const decision = decisionOf(decidePayment(requested(1, 'BHD'), ruleSet));
    const { minimum, maximum } = MinorUnitsSchema as unknown as { minimum: number; maximum: number };
    expect(decision.inputs.reviewThresholdMinor).toBe(9_007_199_254_740_000);
    expect(decision.inputs.reviewThresholdMinor).toBeGreaterThanOrEqual(minimum);
    expect(decision.inputs.reviewThresholdMinor).toBeLessThanOrEqual(maximum);
  });
});

describe('undecidable payments', () => {
  it.each(['XXX', 'inr', 'constructor'])('a payment in "%s", which is not a currency, is undecidable', (currency) => {
    const decideIt = () => decidePayment(requested(100, currency));
    expect(decideIt).toThrow(UndecidableError);
    expect(decideIt).toThrow(`unknown currency ${currency}`);
  });

  it('an UndecidableError carries the code "undecidable"', () => {
    expect(new UndecidableError('x').code).toBe('undecidable');
  });
});
