import { describe, expect, test } from "vitest";
import {
  mergeCounts,
  ownNetworkOf,
  serverSubject,
  subjectAtStart,
} from "../../src/diagnose/server-subject.js";

const TWO = [
  { name: "mx1", remoteAttempts: 30 },
  { name: "mx2", remoteAttempts: 8 },
];

describe("serverSubject", () => {
  test("one server is this server", () => {
    const subject = serverSubject({ mx1: 12 }, [{ name: "mx1", remoteAttempts: 30 }]);

    expect(subject).toEqual({ text: "this server", plural: false, named: false });
  });

  test("one of two servers is named", () => {
    const subject = serverSubject({ mx2: 12 }, TWO);

    expect(subject).toEqual({ text: "mx2", plural: false, named: true });
  });

  test("all servers are these servers", () => {
    const subject = serverSubject({ mx1: 3, mx2: 12 }, TWO);

    expect(subject).toEqual({ text: "these servers", plural: true, named: false });
  });

  test("no counts are these servers", () => {
    expect(serverSubject({}, TWO).text).toBe("these servers");
  });

  test("a server without attempts counts", () => {
    const subject = serverSubject({ backup: 14 }, [{ name: "mx1", remoteAttempts: 30 }]);

    expect(subject.text).toBe("backup");
  });

  test("many servers are counted", () => {
    const servers = ["a", "b", "c", "d", "e", "f"].map((name) => ({ name, remoteAttempts: 5 }));
    const subject = serverSubject({ a: 5, b: 4, c: 3, d: 2 }, servers);

    expect(subject).toEqual({ text: "a, b and 2 more hosts", plural: true, named: true });
  });
});

describe("subject words", () => {
  test("host names keep their case", () => {
    expect(subjectAtStart({ text: "mx2", plural: false, named: true })).toBe("mx2");
    expect(subjectAtStart({ text: "this server", plural: false, named: false })).toBe(
      "This server",
    );
  });

  test("own network names the servers", () => {
    expect(ownNetworkOf({ text: "mx2", plural: false, named: true })).toBe("mx2's own network");
    expect(ownNetworkOf({ text: "mx1 and mx2", plural: true, named: true })).toBe(
      "the networks of mx1 and mx2",
    );
    expect(ownNetworkOf({ text: "these servers", plural: true, named: false })).toBe(
      "these servers' own networks",
    );
  });

  test("mergeCounts sums by name", () => {
    expect(mergeCounts([{ mx1: 2 }, { mx1: 3, mx2: 1 }])).toEqual({ mx1: 5, mx2: 1 });
  });
});
