// What tests share: event builders and given/when/then decider specifications (`@payments/schemas/testing`).
export * from './decider-specification.ts';
export * from './payment-events.ts';
