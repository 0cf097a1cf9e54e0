/**
 * Seeded pseudo-random numbers for the log generators: sfc32 seeded through splitmix32, so
 * the same seed gives the same stream on every machine and Node version. Never use
 * Math.random in a generator, or the output stops being reproducible.
 */

/** Returns a random source for `seed` (any integer; only the low 32 bits are used). */
export function createRandom(seed) {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();

  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs, which still resemble the seed.
  for (let i = 0; i < 12; i++) next();

  const float = () => next() / 4294967296;
  const int = (min, max) => min + Math.floor(float() * (max - min + 1));

  return {
    /** Uniform float in [0, 1). */
    float,
    /** Uniform integer in [min, max], both inclusive. */
    int,
    /** True with probability `p`. */
    chance: (p) => float() < p,
    /** A uniformly chosen element of a non-empty array. */
    pick: (items) => items[Math.floor(float() * items.length)],
    /** Exponentially distributed value with the given mean (Poisson process gaps). */
    exponential: (mean) => -mean * Math.log(1 - float()),
    /** `length` characters drawn from `alphabet`. */
    token: (alphabet, length) => {
      let text = "";
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(float() * alphabet.length)];
      return text;
    },
  };
}
