/**
 * Exact money. Amounts are held as bigint counts of the currency's minor unit (paise, cents, fils) and
 * parsed/formatted as decimal text. No floating-point arithmetic is ever done on an amount: binary floats
 * cannot represent most decimal fractions (0.1 + 0.2 !== 0.3, 1.005 * 100 === 100.49999999999999), so
 * multiplying a float by 10^exponent and rounding silently changes amounts. An amount sent as a JSON number
 * is validated as the text the client wrote (the APIs' body parser keeps it): 9999.999999999999999 has too
 * many decimals even though it parses to the double 10000.
 */
import { currencyExponent } from './currencies.ts';

/** Largest accepted amount, in major units, inclusive (1,000,000,000.00 INR is accepted; 0.01 more is not). */
export const MAX_AMOUNT_MAJOR = 1_000_000_000;

export type ParsedAmount = { ok: true; minor: bigint; major: string } | { ok: false; reason: string };

/** Thrown by toMinor and formatMinor on invalid input. */
export class MoneyError extends Error {
  readonly code = 'invalid_amount';
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

// Unsigned plain decimal: no sign, exponent, spaces, separators, leading zeros (other than "0.x"),
// leading or trailing dot.
const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const MAX_INT_DIGITS = String(MAX_AMOUNT_MAJOR).length;

const fail = (reason: string): ParsedAmount => ({ ok: false, reason });

/**
 * Parses an amount in major units, given as a decimal string ("49.99") or a JSON number (49.99), into
 * minor units. Strict: more fractional digits than the currency allows are rejected even when they are
 * trailing zeros ("49.990" INR): a payments API should not guess what the client meant. A number given as a
 * number (not as its source text) is read in its shortest round-trip form, String(n).
 */
export function parseAmount(amount: unknown, currency: string): ParsedAmount {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return fail(`unknown currency: ${currency}`);

  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) return fail('amount must be a finite number');
    text = String(amount); // shortest round-trip decimal; exponent form (1e21, 1e-7) fails the pattern below
  } else if (typeof amount === 'string') {
    text = amount;
  } else {
    return fail('amount must be a decimal string or a number');
  }

  if (text.startsWith('-')) return fail('amount must not be negative');
  const match = DECIMAL.exec(text);
  if (match === null) return fail('amount is not a plain decimal number');
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';

  if (fraction.length > exponent) {
    return fail(`amount has more decimal places than ${currency} allows (${exponent})`);
  }
  const tooLarge = `amount must not exceed ${MAX_AMOUNT_MAJOR} ${currency}`;
  if (whole.length > MAX_INT_DIGITS) return fail(tooLarge);

  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor === 0n) return fail('amount must be greater than zero');
  if (minor > BigInt(MAX_AMOUNT_MAJOR) * 10n ** BigInt(exponent)) return fail(tooLarge);

  return { ok: true, minor, major: formatMinor(minor, currency) };
}

/** Like parseAmount for a major-unit string, but returns the minor units or throws MoneyError. */
export function toMinor(major: string, currency: string): bigint {
  const parsed = parseAmount(major, currency);
  if (!parsed.ok) throw new MoneyError(parsed.reason);
  return parsed.minor;
}

/**
 * Canonical major-unit decimal text of a minor-unit integer, with exactly the currency's number of
 * decimals: (4999n, 'INR') → '49.99', (5n, 'BHD') → '0.005', (100, 'JPY') → '100'. Negative amounts
 * keep their sign ('-0.05'). Throws MoneyError on an unknown currency or a non-integer amount.
 */
export function formatMinor(minor: bigint | number | string, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new MoneyError(`unknown currency: ${currency}`);

  let value: bigint;
  if (typeof minor === 'bigint') {
    value = minor;
  } else if (typeof minor === 'number') {
    if (!Number.isSafeInteger(minor)) throw new MoneyError('minor amount must be a safe integer');
    value = BigInt(minor);
  } else if (typeof minor === 'string' && INTEGER.test(minor)) {
    value = BigInt(minor);
  } else {
    throw new MoneyError('minor amount must be an integer');
  }

  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
