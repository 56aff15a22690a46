/**
 * Work on one key at a time, in the order it was asked for, whatever became of the work before it (a
 * failure does not stop the queue); keys are independent. A key is forgotten once its queue is empty.
 */
export class Turns {
  private readonly queues = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const mine = (this.queues.get(key) ?? Promise.resolve()).then(work, work);
    const done = mine.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, done);
    void done.then(() => {
      if (this.queues.get(key) === done) this.queues.delete(key);
    });
    return mine;
  }
}
