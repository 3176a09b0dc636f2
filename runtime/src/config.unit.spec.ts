// Specifications of configuration loading: given an environment, then this typed, frozen object, or one
// ConfigError listing every bad variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, commonConfigSpec, env, loadConfig } from './config.ts';

/** The ConfigError a load fails with; fails the test when the load succeeds. */
function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('defaults', () => {
  const spec = {
    name: env.string('NAME', 'payments'),
    port: env.int('PORT', 8080, 1, 65_535),
    verbose: env.bool('VERBOSE', false),
    brokers: env.list('BROKERS', ['127.0.0.1:9092']),
    mode: env.oneOf('MODE', ['fast', 'safe'] as const, 'safe'),
  };
  const defaults = { name: 'payments', port: 8080, verbose: false, brokers: ['127.0.0.1:9092'], mode: 'safe' };

  it('an unset variable takes its default', () => {
    expect(loadConfig(spec, {})).toEqual(defaults);
  });

  it('an empty variable counts as unset and takes its default', () => {
    expect(loadConfig(spec, { NAME: '', PORT: '', VERBOSE: '', BROKERS: '', MODE: '' })).toEqual(defaults);
  });

  it('the shared settings have working local defaults', () => {
    expect(loadConfig(commonConfigSpec, {})).toEqual({
      nodeEnv: 'development',
      logLevel: 'info',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/payments',
      kafkaBrokers: ['127.0.0.1:9092'],
      eventsTopic: 'payments.events',
      dlqTopic: 'payments.events.dlq',
    });
  });

  it('a variable without a default is required', () => {
    expect(problemsOf(() => loadConfig({ secret: env.string('SECRET') }, {}))).toEqual(['SECRET is required (a string)']);
  });
});

describe('parsing', () => {
  it('string: taken as is', () => {
    expect(loadConfig({ v: env.string('V') }, { V: ' spaced value ' })).toEqual({ v: ' spaced value ' });
  });

  it.each([
    ['0', 0],
    ['42', 42],
    ['65535', 65_535],
  ])('int: "%s" is %d', (raw, value) => {
    expect(loadConfig({ v: env.int('V', undefined, 0, 65_535) }, { V: raw })).toEqual({ v: value });
  });

  it('int: a negative integer is accepted when the minimum allows it', () => {
    expect(loadConfig({ v: env.int('V', 0, -10) }, { V: '-3' })).toEqual({ v: -3 });
  });

  it.each(['1.5', '12abc', 'abc', '1e3', ' 7', '-1', '65536'])('int: "%s" is not an integer in [0, 65535]', (raw) => {
    expect(problemsOf(() => loadConfig({ v: env.int('V', 1, 0, 65_535) }, { V: raw }))).toEqual([
      `V=${JSON.stringify(raw)} is not an integer in [0, 65535]`,
    ]);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('bool: "%s" is %s', (raw, value) => {
    expect(loadConfig({ v: env.bool('V') }, { V: raw })).toEqual({ v: value });
  });

  it.each(['yes', 'TRUE', 'on', '2'])('bool: "%s" is refused', (raw) => {
    expect(problemsOf(() => loadConfig({ v: env.bool('V', false) }, { V: raw }))).toEqual([
      `V=${JSON.stringify(raw)} is not true or false`,
    ]);
  });

  // Names inherited from Object.prototype must not read as values (VERBOSE=constructor fails fast).
  it('bool: names inherited from Object.prototype are refused, not read as values', () => {
    const spec = { a: env.bool('A', false), b: env.bool('B', false), c: env.bool('C', false) };
    expect(problemsOf(() => loadConfig(spec, { A: 'constructor', B: 'toString', C: 'hasOwnProperty' }))).toEqual([
      'A="constructor" is not true or false',
      'B="toString" is not true or false',
      'C="hasOwnProperty" is not true or false',
    ]);
  });

  it('list: split on commas, trimmed, empty items dropped', () => {
    expect(loadConfig({ v: env.list('V') }, { V: ' a:1 , b:2,,c:3 ,' })).toEqual({ v: ['a:1', 'b:2', 'c:3'] });
  });

  it('list: only separators is refused', () => {
    expect(problemsOf(() => loadConfig({ v: env.list('V', ['x']) }, { V: ' , ,' }))).toEqual(['V=" , ," is not a comma-separated list']);
  });

  it('oneOf: one of the values is accepted', () => {
    expect(loadConfig({ v: env.oneOf('V', ['fast', 'safe'] as const) }, { V: 'fast' })).toEqual({ v: 'fast' });
  });

  it('oneOf: another value is refused, naming the values allowed', () => {
    expect(problemsOf(() => loadConfig({ v: env.oneOf('V', ['fast', 'safe'] as const) }, { V: 'FAST' }))).toEqual([
      'V="FAST" is not one of fast, safe',
    ]);
  });

  it('optional: unset or empty is undefined, otherwise the value', () => {
    const spec = { v: env.optional('V') };
    expect(loadConfig(spec, {})).toEqual({ v: undefined });
    expect(loadConfig(spec, { V: '' })).toEqual({ v: undefined });
    expect(loadConfig(spec, { V: 'JPY=1000' })).toEqual({ v: 'JPY=1000' });
  });

  it('a refused value is quoted and cut to 80 characters in the problem', () => {
    const raw = 'x'.repeat(200);
    expect(problemsOf(() => loadConfig({ v: env.bool('V', false) }, { V: raw }))).toEqual([
      `V=${JSON.stringify('x'.repeat(80))} is not true or false`,
    ]);
  });
});

describe('every bad variable is listed at once', () => {
  const spec = {
    ...commonConfigSpec,
    port: env.int('PORT', 8080, 1, 65_535),
    apiKey: env.string('API_KEY'),
    verbose: env.bool('VERBOSE', false),
  };
  const bad = { NODE_ENV: 'staging', KAFKA_BROKERS: ',', PORT: '0', VERBOSE: 'maybe', LOG_LEVEL: 'info' };

  it('the ConfigError lists each problem, in the order of the spec', () => {
    expect(problemsOf(() => loadConfig(spec, bad))).toEqual([
      'NODE_ENV="staging" is not one of development, production, test',
      'KAFKA_BROKERS="," is not a comma-separated list',
      'PORT="0" is not an integer in [1, 65535]',
      'API_KEY is required (a string)',
      'VERBOSE="maybe" is not true or false',
    ]);
  });

  it('the ConfigError has code invalid_config and a message naming every problem', () => {
    let error: unknown;
    try {
      loadConfig(spec, bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('invalid_config');
    for (const problem of configError.problems) expect(configError.message).toContain(problem);
  });
});

describe('the result', () => {
  it('is frozen: a setting cannot be changed after start-up', () => {
    const config = loadConfig({ port: env.int('PORT', 8080) }, { PORT: '9000' }) as { port: number };
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      config.port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(9000);
  });

  it('reads only the source it is given', () => {
    expect(loadConfig({ v: env.string('V', 'fallback') }, { OTHER: 'x' })).toEqual({ v: 'fallback' });
  });
});
