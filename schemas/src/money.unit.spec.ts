import { describe, expect, it } from 'vitest';
import { CURRENCY_CODES, CURRENCY_EXPONENTS, currencyExponent, isCurrency } from './currencies.ts';
import { formatMinor, MAX_AMOUNT_MAJOR, MoneyError, parseAmount, toMinor } from './money.ts';

const minorOf = (amount: unknown, currency: string): bigint => {
  const parsed = parseAmount(amount, currency);
  if (!parsed.ok) throw new Error(`expected ${String(amount)} ${currency} to parse: ${parsed.reason}`);
  return parsed.minor;
};
const reasonOf = (amount: unknown, currency: string): string => {
  const parsed = parseAmount(amount, currency);
  if (parsed.ok) throw new Error(`expected ${String(amount)} ${currency} to be rejected`);
  return parsed.reason;
};

describe('parseAmount: accepted amounts become exact minor units', () => {
  it('INR 5000 (number) is 500000 paise, canonical "5000.00"', () => {
    expect(parseAmount(5000, 'INR')).toEqual({ ok: true, minor: 500000n, major: '5000.00' });
  });
  it('INR "49.99" is 4999 paise', () => {
    expect(parseAmount('49.99', 'INR')).toEqual({ ok: true, minor: 4999n, major: '49.99' });
  });
  it('INR "49.9" is 4990 paise, canonical "49.90"', () => {
    expect(parseAmount('49.9', 'INR')).toEqual({ ok: true, minor: 4990n, major: '49.90' });
  });
  it('JPY "100" is 100 yen (exponent 0)', () => {
    expect(parseAmount('100', 'JPY')).toEqual({ ok: true, minor: 100n, major: '100' });
  });
  it('BHD "1.005" is 1005 fils (exponent 3)', () => {
    expect(parseAmount('1.005', 'BHD')).toEqual({ ok: true, minor: 1005n, major: '1.005' });
  });
  it('BHD "1.5" is 1500 fils, canonical "1.500"', () => {
    expect(parseAmount('1.5', 'BHD')).toEqual({ ok: true, minor: 1500n, major: '1.500' });
  });
  it('CLF "0.0001" is 1 (exponent 4)', () => {
    expect(minorOf('0.0001', 'CLF')).toBe(1n);
  });
  it('"0.x" is allowed: INR "0.01" is 1 paisa', () => {
    expect(minorOf('0.01', 'INR')).toBe(1n);
  });
});

describe('parseAmount: JSON numbers are read as their decimal text, not through float arithmetic', () => {
  it('0.1 INR is 10 paise', () => expect(minorOf(0.1, 'INR')).toBe(10n));
  it('0.29 INR is 29 paise (0.29 * 100 === 28.999999999999996)', () => expect(minorOf(0.29, 'INR')).toBe(29n));
  it('1.005 BHD is 1005 fils (1.005 * 1000 === 1004.9999999999999)', () => expect(minorOf(1.005, 'BHD')).toBe(1005n));
  it('19.99 INR is 1999 paise', () => expect(minorOf(19.99, 'INR')).toBe(1999n));
  it('0.1 + 0.2 is not 0.30: its decimal text has too many places, so it is rejected', () => {
    expect(reasonOf(0.1 + 0.2, 'INR')).toMatch(/decimal places/);
  });
  it('numbers whose text uses exponent form are rejected (1e21, 1e-7)', () => {
    expect(reasonOf(1e21, 'INR')).toMatch(/plain decimal/);
    expect(reasonOf(1e-7, 'CLF')).toMatch(/plain decimal/);
  });
});

describe('parseAmount: rejected amounts', () => {
  const rejected: [string, unknown][] = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-1', -1],
    ['0', 0],
    ['-0', -0],
    ['"0"', '0'],
    ['"0.00"', '0.00'],
    ['"-5"', '-5'],
    ['"+5"', '+5'],
    ['"1e3"', '1e3'],
    ['1e21', 1e21],
    ['"1,000"', '1,000'],
    ['"1_000"', '1_000'],
    ['" 5"', ' 5'],
    ['"5 "', '5 '],
    ['"05"', '05'],
    ['"00.5"', '00.5'],
    ['".5"', '.5'],
    ['"5."', '5.'],
    ['"0x10"', '0x10'],
    ['"١٢"', '١٢'],
    ['""', ''],
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['{}', {}],
    ['[]', []],
    ['[5]', [5]],
    ['5n', 5n],
  ];
  it.each(rejected)('%s', (_label, amount) => {
    const parsed = parseAmount(amount, 'INR');
    expect(parsed.ok).toBe(false);
  });

  it('says why: zero, negative, non-finite, wrong type', () => {
    expect(reasonOf(0, 'INR')).toBe('amount must be greater than zero');
    expect(reasonOf('0.00', 'INR')).toBe('amount must be greater than zero');
    expect(reasonOf('-5', 'INR')).toBe('amount must not be negative');
    expect(reasonOf(-1, 'INR')).toBe('amount must not be negative');
    expect(reasonOf(Number.NaN, 'INR')).toBe('amount must be a finite number');
    expect(reasonOf(null, 'INR')).toBe('amount must be a decimal string or a number');
  });

  it('more decimal places than the currency allows are rejected', () => {
    expect(reasonOf('49.999', 'INR')).toBe('amount has more decimal places than INR allows (2)');
    expect(reasonOf('1.5', 'JPY')).toBe('amount has more decimal places than JPY allows (0)');
    expect(reasonOf(1.5, 'JPY')).toMatch(/decimal places/);
    expect(reasonOf('1.0005', 'BHD')).toMatch(/decimal places/);
  });

  it('trailing zeros beyond the exponent are rejected too (strict: no guessing)', () => {
    expect(reasonOf('49.990', 'INR')).toMatch(/decimal places/);
    expect(reasonOf('100.0', 'JPY')).toMatch(/decimal places/);
  });
});

describe('parseAmount: maximum amount', () => {
  it('MAX_AMOUNT_MAJOR is one billion major units', () => expect(MAX_AMOUNT_MAJOR).toBe(1_000_000_000));
  it('MAX_AMOUNT_MAJOR itself is accepted (inclusive)', () => {
    expect(minorOf(MAX_AMOUNT_MAJOR, 'INR')).toBe(100_000_000_000n);
    expect(minorOf('1000000000.00', 'INR')).toBe(100_000_000_000n);
    expect(minorOf('1000000000', 'JPY')).toBe(1_000_000_000n);
  });
  it('MAX + 0.01 is rejected', () => {
    expect(reasonOf('1000000000.01', 'INR')).toMatch(/must not exceed/);
    expect(reasonOf(1_000_000_000.01, 'INR')).toMatch(/must not exceed/);
    expect(reasonOf('1000000001', 'JPY')).toMatch(/must not exceed/);
  });
  it('absurdly long amounts are rejected as too large', () => {
    expect(reasonOf('9'.repeat(10_000), 'INR')).toMatch(/must not exceed/);
  });
});

describe('currencies', () => {
  it.each(['inr', 'Inr', 'XAU', 'XAG', 'XDR', 'XXX', 'XTS', '__proto__', 'constructor', 'toString', 'HRK', '', 'INRR'])(
    '%s is not a currency',
    (code) => {
      expect(isCurrency(code)).toBe(false);
      expect(currencyExponent(code)).toBeUndefined();
      expect(reasonOf('1', code)).toMatch(/unknown currency/);
    },
  );

  it('knows the exponents that differ from 2', () => {
    const expected: Record<string, number> = {
      INR: 2,
      USD: 2,
      EUR: 2,
      JPY: 0,
      KRW: 0,
      VND: 0,
      ISK: 0,
      XAF: 0,
      XOF: 0,
      XPF: 0,
      CLP: 0,
      PYG: 0,
      UGX: 0,
      RWF: 0,
      DJF: 0,
      GNF: 0,
      KMF: 0,
      VUV: 0,
      BIF: 0,
      BHD: 3,
      KWD: 3,
      JOD: 3,
      OMR: 3,
      TND: 3,
      LYD: 3,
      IQD: 3,
      CLF: 4,
      UYW: 4,
    };
    for (const [code, exponent] of Object.entries(expected)) expect([code, currencyExponent(code)]).toEqual([code, exponent]);
  });

  it('table sanity: at least 150 codes, all three upper-case letters, exponents in {0,2,3,4}', () => {
    expect(CURRENCY_CODES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    for (const code of CURRENCY_CODES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(CURRENCY_EXPONENTS[code]);
    }
  });

  it('the table is frozen', () => {
    expect(Object.isFrozen(CURRENCY_EXPONENTS)).toBe(true);
    expect(Object.isFrozen(CURRENCY_CODES)).toBe(true);
  });
});

describe('formatMinor', () => {
  it('renders canonical major units', () => {
    expect(formatMinor(4999n, 'INR')).toBe('49.99');
    expect(formatMinor(500000n, 'INR')).toBe('5000.00');
    expect(formatMinor(1n, 'INR')).toBe('0.01');
    expect(formatMinor(5n, 'BHD')).toBe('0.005');
    expect(formatMinor(100, 'JPY')).toBe('100');
    expect(formatMinor('1', 'CLF')).toBe('0.0001');
    expect(formatMinor(0n, 'INR')).toBe('0.00');
    expect(formatMinor(-5n, 'INR')).toBe('-0.05');
  });

  it('rejects non-integers and unknown currencies with MoneyError', () => {
    expect(() => formatMinor(1.5, 'INR')).toThrow(MoneyError);
    expect(() => formatMinor('1.5', 'INR')).toThrow(MoneyError);
    expect(() => formatMinor('', 'INR')).toThrow(MoneyError);
    expect(() => formatMinor(1n, 'inr')).toThrow(MoneyError);
  });

  it('round-trips parseAmount for a sample of currencies', () => {
    const samples: [string, string][] = [
      ['49.99', 'INR'],
      ['0.01', 'USD'],
      ['5000.00', 'EUR'],
      ['100', 'JPY'],
      ['1', 'KRW'],
      ['1.005', 'BHD'],
      ['0.001', 'KWD'],
      ['123.456', 'TND'],
      ['0.0001', 'CLF'],
      ['12.3456', 'UYW'],
      ['1000000000', 'XOF'],
      ['1000000000.00', 'GBP'],
    ];
    for (const [major, currency] of samples) {
      const parsed = parseAmount(major, currency);
      expect(parsed).toEqual({ ok: true, minor: expect.any(BigInt), major });
      if (parsed.ok) {
        expect(formatMinor(parsed.minor, currency)).toBe(major);
        expect(minorOf(formatMinor(parsed.minor, currency), currency)).toBe(parsed.minor);
      }
    }
  });
});

describe('toMinor', () => {
  it('returns minor units for a valid amount', () => expect(toMinor('49.99', 'INR')).toBe(4999n));
  it('throws MoneyError with code invalid_amount', () => {
    let caught: unknown;
    try {
      toMinor('1.5', 'JPY');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MoneyError);
    expect(caught).toMatchObject({
      code: 'invalid_amount',
      name: 'MoneyError',
      message: 'amount has more decimal places than JPY allows (0)',
    });
  });
});
