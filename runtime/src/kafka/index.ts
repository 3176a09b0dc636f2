// Kafka (`@payments/runtime/kafka`): every line of Kafka code the services share. The client and topics, the
// producer settings, the consumer runner with its dead-letter producer, and the consumer services' composition.
// kafkajs 2.2.4 runs with one repair of ours, patches/kafkajs+2.2.4.patch, applied by patch-package on install.
export * from './client.ts';
export * from './consumer-runner.ts';
export * from './consumer-service.ts';
export * from './producer.ts';
