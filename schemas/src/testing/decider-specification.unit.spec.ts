// The specification helper must fail a test that states the wrong outcome, or it proves nothing.
import { describe, expect, it } from 'vitest';
import { deciderSpecification } from './decider-specification.ts';

class Refused extends Error {}
// a counter that may count up to 2
const spec = deciderSpecification<'inc', number, 'incremented', 'incremented'>({
  decide: (_command, state) => {
    if (state >= 2) throw new Refused('at the limit');
    return ['incremented'];
  },
  evolve: (state) => state + 1,
  initialState: () => 0,
});

describe('deciderSpecification', () => {
  it('passes when the decided events are the expected ones, folding the given events first', () => {
    spec.given(['incremented']).when('inc').thenEvents(['incremented']);
    spec.given(['incremented', 'incremented']).when('inc').thenThrows(Refused);
  });

  it('fails when the events differ', () => {
    expect(() => spec.given([]).when('inc').thenEvents([])).toThrow();
  });

  it('fails when an error was expected and events came', () => {
    expect(() => spec.given([]).when('inc').thenThrows(Refused)).toThrow(/expected a Refused/);
  });

  it('fails on an error of another kind, and when the check fails', () => {
    class Other extends Error {}
    expect(() => spec.given(['incremented', 'incremented']).when('inc').thenThrows(Other)).toThrow(Refused);
    expect(() =>
      spec
        .given(['incremented', 'incremented'])
        .when('inc')
        .thenThrows(Refused, (e) => expect(e.message).toBe('x')),
    ).toThrow();
  });
});
