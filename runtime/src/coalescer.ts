// Coalesces concurrent requests for the same kind of work into one call: whatever arrives while a flush
// is running goes into the next one. No timer: a lone request runs at once, and under load one transaction
// carries many. Used to put all partitions of a Kafka fetch into one PostgreSQL transaction.
export class Coalescer<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  private readonly flush: (items: T[]) => Promise<R[]>;

  constructor(flush: (items: T[]) => Promise<R[]>) {
    this.flush = flush;
  }

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue;
    this.queue = [];
    this.flush(batch.map((b) => b.item))
      .then(
        (results) => batch.forEach((b, i) => b.resolve(results[i] as R)),
        (error: unknown) => {
          for (const b of batch) b.reject(error);
        },
      )
      .finally(() => {
        this.running = false;
        this.pump();
      });
  }
}
