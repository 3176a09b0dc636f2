import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyHashPartitioner, murmur2 } from './partitioner.ts';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

const partitionMetadata = (n: number, leaderless: number[] = []) =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

describe('key-hash partitioner', () => {
  it("gives Kafka's own murmur2 values (the Java client's test vectors)", () => {
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });

  it("hashes every key as kafkajs's murmur2 does: payment ids, every length up to 64 bytes, non-ASCII text", () => {
    const keys: (string | Buffer)[] = ['', 'é', '支付-€', 'x'.repeat(1000)];
    for (let i = 0; i < 2000; i++) keys.push(randomUUID());
    for (let n = 0; n <= 64; n++) for (let j = 0; j < 20; j++) keys.push(randomBytes(n));
    for (const key of keys) expect(murmur2(key)).toBe(kafkajsMurmur2(key));
  });

  it("puts each keyed message on the partition kafkajs's DefaultPartitioner would", () => {
    const ours = keyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 6, 7, 12]) {
      for (let i = 0; i < 500; i++) {
        const args = { topic: 'payments.events', partitionMetadata: partitionMetadata(n), message: { key: randomUUID(), value: 'v' } };
        expect(ours(args)).toBe(theirs(args));
      }
    }
  });

  it("keeps a message's own partition, and spreads keyless messages over the partitions that have a leader", () => {
    const partition = keyHashPartitioner();
    const topic = 'payments.events';
    expect(partition({ topic, partitionMetadata: partitionMetadata(6), message: { key: 'k', value: 'v', partition: 4 } })).toBe(4);
    const chosen = new Set<number>();
    for (let i = 0; i < 60; i++) {
      chosen.add(partition({ topic, partitionMetadata: partitionMetadata(6, [1, 3]), message: { value: 'v' } }));
    }
    expect([...chosen].sort()).toEqual([0, 2, 4, 5]);
  });
});
