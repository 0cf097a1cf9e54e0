/**
 * Postfix queue ids. Short ids (the default) are the microseconds of the queue file's
 * creation as 5 hex digits followed by its inode number in hex. Long ids
 * (`enable_long_queue_ids = yes`) are the seconds as 6 base-52 digits, the microseconds as
 * 4 base-52 digits, then `z` and the inode number in base 51; the alphabet leaves out the
 * vowels, and the inode part also leaves out `z`.
 */

const BASE52 = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy" + "z";
const BASE51 = BASE52.slice(0, 51);

function encode(value, alphabet, width) {
  let text = "";
  let rest = value;
  while (rest > 0 || text.length < width) {
    text = alphabet[rest % alphabet.length] + text;
    rest = Math.floor(rest / alphabet.length);
  }
  return text;
}

/**
 * Creates queue ids that are unique among the messages still in the queue. `inUse` is the
 * set the caller keeps of live ids; ids are released by deleting them from it.
 */
export function createQueueIds(random, longIds) {
  // Inode numbers of a busy queue directory: they grow slowly and wrap, so ids repeat
  // after a while, as they do on a real server.
  let inode = random.int(0x10000, 0x7ffff);
  const inUse = new Set();

  const make = (timeUs) => {
    inode = inode >= 0xfffff ? 0x10000 : inode + random.int(1, 40);
    const micros = timeUs % 1e6;
    if (!longIds) {
      return micros.toString(16).toUpperCase().padStart(5, "0") + inode.toString(16).toUpperCase();
    }
    const seconds = Math.floor(timeUs / 1e6);
    return `${encode(seconds, BASE52, 6)}${encode(micros, BASE52, 4)}z${encode(inode, BASE51, 1)}`;
  };

  return {
    /** Returns a new id for a queue file created at `timeUs`. */
    allocate(timeUs) {
      let id = make(timeUs);
      while (inUse.has(id)) id = make(timeUs);
      inUse.add(id);
      return id;
    },
    /** Marks `id` free again (the message was removed). */
    release(id) {
      inUse.delete(id);
    },
  };
}
