import { detach } from "./fields.js";
import type { QueueKey } from "./queue-id.js";

/** The Postfix instance of the tags `postfix/…`, whose `syslog_name` is the default. */
export const DEFAULT_INSTANCE = "postfix";

/**
 * Returns true when a line of the instance `line` on `host` may take an open message of the
 * queue of `other` (see `QueueTable.otherInstanceWith`).
 */
export type SearchFilter = (host: string, line: string, other: string) => boolean;

function acceptAll(): boolean {
  return true;
}

/**
 * Open messages of one Postfix queue by `QueueKey`. The value type is generic so that this
 * module does not depend on the store's message state.
 */
export type Queue<State> = Map<QueueKey, State>;

/**
 * The queues of open messages by syslog host and Postfix instance (the first path component
 * of the tag, see `postfixInstanceOf`). Each instance has a queue directory of its own, so two
 * instances on one host can use the same queue id at once. Queues of the default instance
 * live in a map by host alone, so a log of single-instance hosts never touches the map of the
 * other instances.
 */
export class QueueTable<State> {
  private readonly defaults = new Map<string, Queue<State>>();
  // Queues of the other instances by host, then by instance.
  private readonly others = new Map<string, Map<string, Queue<State>>>();

  /** True once a queue of an instance other than `DEFAULT_INSTANCE` was created. */
  hasOtherInstances = false;

  /** Returns the queue of `instance` on `host`, or undefined. */
  get(host: string, instance: string): Queue<State> | undefined {
    if (instance === DEFAULT_INSTANCE) return this.defaults.get(host);
    return this.others.get(host)?.get(instance);
  }

  /** Returns the queue of `instance` on `host`, created empty when there is none. */
  create(host: string, instance: string): Queue<State> {
    const queue: Queue<State> = new Map();
    if (instance === DEFAULT_INSTANCE) {
      this.defaults.set(detach(host), queue);
      return queue;
    }
    let instances = this.others.get(host);
    if (instances === undefined) {
      instances = new Map();
      this.others.set(detach(host), instances);
    }
    instances.set(detach(instance), queue);
    this.hasOtherInstances = true;
    return queue;
  }

  /** Removes the queue of `instance` on `host`. */
  delete(host: string, instance: string): void {
    if (instance === DEFAULT_INSTANCE) {
      this.defaults.delete(host);
      return;
    }
    const instances = this.others.get(host);
    instances?.delete(instance);
    if (instances?.size === 0) this.others.delete(host);
  }

  /**
   * Returns the instance of a queue of `host` other than that of `instance` that has an open
   * message with `key` and that `accepts` lets the line of `instance` search, or undefined.
   * The default instance's queue is searched first.
   */
  otherInstanceWith(
    host: string,
    instance: string,
    key: QueueKey,
    accepts: SearchFilter = acceptAll,
  ): string | undefined {
    if (
      instance !== DEFAULT_INSTANCE &&
      this.defaults.get(host)?.has(key) === true &&
      accepts(host, instance, DEFAULT_INSTANCE)
    ) {
      return DEFAULT_INSTANCE;
    }
    const instances = this.others.get(host);
    if (instances === undefined) return undefined;
    for (const [name, queue] of instances) {
      if (name !== instance && queue.has(key) && accepts(host, instance, name)) return name;
    }
    return undefined;
  }

  /** Calls `visit` with each queue, its host and its instance. */
  forEach(visit: (queue: Queue<State>, host: string, instance: string) => void): void {
    for (const [host, queue] of this.defaults) visit(queue, host, DEFAULT_INSTANCE);
    for (const [host, instances] of this.others) {
      for (const [instance, queue] of instances) visit(queue, host, instance);
    }
  }
}
