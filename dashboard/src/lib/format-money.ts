// Money for people: a currency amount given as exact minor units (or an exact decimal string) formatted
// with Intl.NumberFormat in its currency. The value reaches Intl as a decimal *string* built from integer
// minor units by formatMinor, so no amount ever passes through a binary float (Intl formats string
// operands exactly). Decimals follow the ISO 4217 exponent the platform stores, not the locale's guess.
import { currencyExponent, formatMinor } from '@payments/schemas';

const formatters = new Map<string, Intl.NumberFormat>();

export interface MoneyFormatOptions {
  compact?: boolean;
  /** BCP 47 locale; the user's own by default. */
  locale?: string;
}

function formatterFor(currency: string, digits: number, compact: boolean, locale: string | undefined): Intl.NumberFormat | null {
  const key = `${locale}:${currency}:${digits}:${compact}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    try {
      formatter = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: compact ? 0 : digits,
        maximumFractionDigits: compact ? 1 : digits,
        ...(compact ? { notation: 'compact' as const } : {}),
      });
    } catch {
      return null; // a code this browser's Intl does not know
    }
    formatters.set(key, formatter);
  }
  return formatter;
}

/** "49.99" + "INR" → "₹49.99" (in the user's locale). Unknown currencies fall back to "49.99 XYZ". */
export function formatMajor(major: string, currency: string, options: MoneyFormatOptions = {}): string {
  const digits = currencyExponent(currency) ?? 2;
  const formatter = formatterFor(currency, digits, options.compact ?? false, options.locale);
  if (formatter === null) return `${major} ${currency}`;
  // Intl.NumberFormat formats a numeric string exactly (ES2023 "Intl mathematical value").
  return formatter.format(major as Intl.StringNumericLiteral);
}

/** Integer minor units (number, bigint or integer string) → formatted money. */
export function formatMoney(minor: number | bigint | string, currency: string, options: MoneyFormatOptions = {}): string {
  if (currencyExponent(currency) === undefined) return `${String(minor)} ${currency} (minor units)`;
  return formatMajor(formatMinor(minor, currency), currency, options);
}
