import { describe, expect, it } from "vitest";
import { TokenCache } from "../../../src/logs/framing/tokens.js";

describe("TokenCache", () => {
  it("returns the token text", () => {
    const cache = new TokenCache();
    expect(cache.slice("ab mailhost cd", 3, 11)).toBe("mailhost");
    expect(cache.slice("x", 0, 0)).toBe("");
  });

  it("tells apart tokens of the same shape", () => {
    const cache = new TokenCache();
    const texts = ["mx-a", "mx-b", "mx-a", "my-a", "mx-b"];
    for (const text of texts) expect(cache.slice(text, 0, 4)).toBe(text);
  });

  it("returns tokens longer than the cache limit", () => {
    const long = "h".repeat(100);
    expect(new TokenCache().slice(long, 0, 100)).toBe(long);
  });
});
