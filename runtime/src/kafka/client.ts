// The Kafka client (kafkajs) wired to our structured logs, and the topics the system needs, created
// explicitly (the broker does not auto-create topics). kafkajs 2.2.4 runs with one repair of ours,
// patches/kafkajs+2.2.4.patch (its request queue's timer), applied by patch-package on install.
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from '../logger.ts';

export type { Kafka };

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(options: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    // kafkajs INFO is chatty (every join and commit); warnings and errors go to our log as structured lines.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, ...fields } = entry;
        log[LEVELS[level] ?? 'info']({ namespace, ...fields }, message);
      },
  };
  return new Kafka(config);
}

export type TopicNames = { eventsTopic: string; dlqTopic: string };

/** Creates the event and dead-letter topics when missing: keyed by payment id, kept forever. */
export async function ensureTopics(kafka: Kafka, topics: TopicNames, partitions = 6): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [topics.eventsTopic, topics.dlqTopic].filter((t) => !existing.has(t));
    if (wanted.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: wanted.map((topic) => ({
        topic,
        numPartitions: topic === topics.eventsTopic ? partitions : 1,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: '-1' },
          { name: 'retention.bytes', value: '-1' },
        ],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
