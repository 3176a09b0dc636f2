// The producer settings every publisher here uses, and the partition a key goes to.
import { Partitioners } from 'kafkajs';

/**
 * Every producer of ours (the outbox relay, the dead-letter producer): idempotent, acks all, one request in
 * flight so retries keep order.
 */
export function reliableProducerConfig() {
  return {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Java-compatible murmur2 of the key: a payment's events share a partition with any Java producer's
    createPartitioner: Partitioners.DefaultPartitioner,
    // an idempotent producer keeps retrying (kafkajs warns about anything less); the relay's own loop
    // surfaces a broker that stays away
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  } as const;
}
