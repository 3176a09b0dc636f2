// What tests share: event builders, given/when/then decider specifications and the golden event fixtures (`@payments/schemas/testing`).
export * from './decider-specification.ts';
export * from './fixtures.ts';
export * from './payment-events.ts';
