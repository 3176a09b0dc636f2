// UUIDv7: time-ordered ids for events and payments (index-friendly, sortable by creation).
import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KiB at a time (as Node's randomUUID does): one call into the CSPRNG per 256 ids
// instead of one per id, on the hot path of every payment.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function random16(): Buffer {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + 16)); // a copy: the pool is refilled later
  offset += 16;
  return bytes;
}

export function uuidv7(now = Date.now()): string {
  const bytes = random16();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
