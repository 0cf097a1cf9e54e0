// Login records of 384 bytes in the layout of Linux utmp, mostly NUL padding between fields.
export function loginRecords(count: number): Buffer {
  const buffer = Buffer.alloc(384 * count);
  for (let index = 0; index < count; index++) {
    const base = index * 384;
    buffer.writeInt32LE(7, base);
    buffer.writeInt32LE(5000 + index, base + 4);
    buffer.write(`pts/${index}`, base + 8, "latin1");
    buffer.write("bob", base + 44, "latin1");
    buffer.write("192.0.2.20", base + 76, "latin1");
    buffer.writeInt32LE(1_700_000_000 + index, base + 340);
  }
  return buffer;
}
