import { describe, expect, it } from "vitest";
import { findPublicResolver } from "../../src/reputation/public-resolver.js";

describe("public resolver detection", () => {
  it("finds well-known resolvers in any form", () => {
    expect(findPublicResolver(["8.8.8.8"])?.operator).toBe("Google Public DNS");
    expect(findPublicResolver(["1.1.1.1:53"])?.operator).toBe("Cloudflare");
    expect(findPublicResolver(["[2620:fe:0::fe]:53"])?.operator).toBe("Quad9");
    expect(findPublicResolver(["127.0.0.53", "208.67.222.222"])?.address).toBe("208.67.222.222");
  });

  it("ignores local and private resolvers", () => {
    expect(findPublicResolver(["127.0.0.1", "192.0.2.53", "::1", "not-an-ip"])).toBeNull();
    expect(findPublicResolver([])).toBeNull();
  });
});
