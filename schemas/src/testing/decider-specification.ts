// Given/when/then specifications of a decider, after Emmett's DeciderSpecification: given past events (folded
// into state with the decider's own evolve, never written by hand), when a command, then these new events or
// this error. Framework-free (node:assert), so any test runner reads it.
import { deepStrictEqual, fail } from 'node:assert/strict';

export type Decider<Command, State, PastEvent, NewEvent> = {
  decide: (command: Command, state: State) => NewEvent[];
  evolve: (state: State, event: PastEvent) => State;
  initialState: () => State;
};

export function deciderSpecification<Command, State, PastEvent, NewEvent>(decider: Decider<Command, State, PastEvent, NewEvent>) {
  return {
    given: (past: readonly PastEvent[]) => ({
      when: (command: Command) => {
        const run = () => decider.decide(command, past.reduce(decider.evolve, decider.initialState()));
        return {
          thenEvents: (expected: NewEvent[]) => deepStrictEqual(run(), expected),
          /** The command is refused with an error of this class; `check` may assert more of it. */
          thenThrows: <E extends Error>(kind: new (...args: never[]) => E, check?: (error: E) => void) => {
            let events: NewEvent[];
            try {
              events = run();
            } catch (error) {
              if (!(error instanceof kind)) throw error;
              check?.(error);
              return;
            }
            fail(`expected a ${kind.name}, got the events ${JSON.stringify(events)}`);
          },
        };
      },
    }),
  };
}
