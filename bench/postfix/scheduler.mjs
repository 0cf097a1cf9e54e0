/**
 * The event loop of the generator: a binary min-heap of processes keyed on the time of their
 * next log line. A process is a JavaScript generator that writes the lines due at the time
 * it was resumed for and yields the time (microseconds) of its next line, which must not be
 * earlier. Popping the earliest process each time keeps the whole log in time order while
 * messages overlap, as on a real server. Ties are broken by insertion order, so the output
 * is deterministic.
 */
export class Scheduler {
  #times = [];
  #seqs = [];
  #procs = [];
  #seq = 0;

  /** Number of processes waiting. */
  get size() {
    return this.#procs.length;
  }

  /** Starts `process` (a generator object) at `timeUs`. */
  spawn(timeUs, process) {
    this.#push(timeUs, process);
  }

  /**
   * Runs processes in time order until none is left or `shouldStop()` returns true after a
   * step.
   */
  run(shouldStop) {
    while (this.#procs.length > 0) {
      const process = this.#procs[0];
      this.#popTop();
      const step = process.next();
      if (shouldStop()) return;
      if (!step.done) this.#push(step.value, process);
    }
  }

  #push(timeUs, process) {
    const times = this.#times;
    const seqs = this.#seqs;
    const procs = this.#procs;
    const seq = this.#seq++;
    let index = procs.length;
    times.push(timeUs);
    seqs.push(seq);
    procs.push(process);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (times[parent] < timeUs || (times[parent] === timeUs && seqs[parent] < seq)) break;
      times[index] = times[parent];
      seqs[index] = seqs[parent];
      procs[index] = procs[parent];
      index = parent;
    }
    times[index] = timeUs;
    seqs[index] = seq;
    procs[index] = process;
  }

  #popTop() {
    const times = this.#times;
    const seqs = this.#seqs;
    const procs = this.#procs;
    const lastTime = times.pop();
    const lastSeq = seqs.pop();
    const lastProc = procs.pop();
    const size = procs.length;
    if (size === 0) return;

    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        (times[right] < times[child] ||
          (times[right] === times[child] && seqs[right] < seqs[child]))
      ) {
        child = right;
      }
      if (times[child] > lastTime || (times[child] === lastTime && seqs[child] > lastSeq)) break;
      times[index] = times[child];
      seqs[index] = seqs[child];
      procs[index] = procs[child];
      index = child;
    }
    times[index] = lastTime;
    seqs[index] = lastSeq;
    procs[index] = lastProc;
  }
}
