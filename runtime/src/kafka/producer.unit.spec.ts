// A payment's events must stay on the partition its earlier events went to, whatever the client library or
// its version: the relay's partitioner is pinned here to Kafka's own murmur2 partitions, computed once.
import { describe, expect, it } from 'vitest';
import { reliableProducerConfig } from './producer.ts';

const metadata = (n: number) =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

// key → partition for 6, 12 and 24 partitions: (murmur2(key) & 0x7fffffff) % n, as the Java client computes it
const GOLDEN: [string, number, number, number][] = [
  ['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 1, 7, 19],
  ['019b2f3e-8c1a-7d42-9e0f-3a6b5c4d2e1f', 5, 5, 17],
  ['00000000-0000-7000-8000-000000000001', 2, 8, 8],
  ['ffffffff-ffff-ffff-ffff-ffffffffffff', 0, 6, 18],
  ['019c0d7a-1b2c-7e3f-a4b5-c6d7e8f90a1b', 4, 10, 22],
  ['é', 3, 3, 15],
  ['支付-€', 2, 8, 20],
  ['', 3, 9, 9],
];

describe("the relay's partitioner", () => {
  it.each(GOLDEN)('%j keeps its partition', (key, p6, p12, p24) => {
    const partition = reliableProducerConfig().createPartitioner();
    const at = (n: number) => partition({ topic: 'payments.events', partitionMetadata: metadata(n), message: { key, value: 'v' } });
    expect([at(6), at(12), at(24)]).toEqual([p6, p12, p24]);
  });

  it("keeps a message's own partition", () => {
    const partition = reliableProducerConfig().createPartitioner();
    expect(partition({ topic: 't', partitionMetadata: metadata(6), message: { key: 'k', value: 'v', partition: 4 } })).toBe(4);
  });
});
