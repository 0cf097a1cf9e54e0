/**
 * Compares the output of `delist diagnose --format json` and of pflogsumm with the
 * generator's truth file, so a fast but wrong run shows up in the benchmark table.
 *
 * The diagnose JSON schema may still change, so the delist checks look for the facts by
 * name anywhere in the document. The Gmail entry is an object under a `gmail` key, or one
 * whose `provider`, `providerId` or `id` is "gmail", and it has a verdict (`verdict`,
 * `status` or `state`). Its first-block times sit under keys that contain `since` or
 * `first`, next to `sent`/`deferred`/`bounced` counts. The compromised account must appear
 * in the entry of a `findings` array whose `id` is "compromised-account". A check whose data
 * is absent is reported as "n/a", not as passed.
 */

/** Returns one check result: status "pass", "fail" or "n/a", and what was compared. */
function check(name, status, detail) {
  return { name, status, detail };
}

/** Checks the JSON text that `delist diagnose` wrote against the truth document. */
export function checkDiagnosis(text, truth) {
  let document;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return [check("JSON output", "fail", `not valid JSON: ${error.message}`)];
  }
  const gmail = findProviderEntry(document, "gmail");
  return [
    check("JSON output", "pass", `${text.length} bytes`),
    checkVerdict(gmail, truth),
    checkFirstBlock(gmail, truth, false),
    checkFirstBlock(gmail, truth, true),
    checkGmailCounts(gmail, truth),
    checkCompromisedAccount(document, truth),
  ];
}

function* objectsIn(value) {
  if (Array.isArray(value)) {
    for (const item of value) yield* objectsIn(item);
  } else if (value !== null && typeof value === "object") {
    yield value;
    for (const item of Object.values(value)) yield* objectsIn(item);
  }
}

const PROVIDER_KEYS = ["provider", "providerId", "id"];
const VERDICT_KEYS = ["verdict", "status", "state"];
const hasVerdict = (object) => VERDICT_KEYS.some((key) => typeof object[key] === "string");

// The entry is either keyed by the provider id (`providers: { gmail: {…} }`) or an object
// that names the provider in one of its fields (`[{ provider: "gmail", … }]`).
function findProviderEntry(document, provider) {
  for (const object of objectsIn(document)) {
    const keyed = object[provider];
    if (keyed !== null && typeof keyed === "object" && hasVerdict(keyed)) return keyed;
    const names = PROVIDER_KEYS.map((key) => object[key]);
    if (names.includes(provider) && hasVerdict(object)) return object;
  }
  return null;
}

// "not-blocked" is the truth file's word for a provider without block replies.
const VERDICT_SYNONYMS = { "not-blocked": ["not-blocked", "ok", "healthy", "none"] };

function checkVerdict(gmail, truth) {
  const name = "Gmail verdict";
  if (gmail === null) return check(name, "fail", "no Gmail entry with a verdict in the output");
  const key = VERDICT_KEYS.find((candidate) => typeof gmail[candidate] === "string");
  const expected = truth.gmail.expectedVerdict;
  const actual = gmail[key];
  const accepted = VERDICT_SYNONYMS[expected] ?? [expected];
  const status = accepted.includes(actual.toLowerCase()) ? "pass" : "fail";
  return check(name, status, `${key} "${actual}", expected "${expected}"`);
}

// Times may be ISO 8601 strings or epoch milliseconds, under a since/first key or inside an
// object under such a key (`since: { time, text }`).
function timesUnder(object, parentIsTimeKey = false, depth = 0) {
  const times = [];
  for (const [key, value] of Object.entries(object)) {
    const timeKey = parentIsTimeKey || /since|first/i.test(key);
    if (timeKey && typeof value === "string" && !Number.isNaN(Date.parse(value))) {
      times.push({ key, ms: Date.parse(value) });
    } else if (timeKey && typeof value === "number" && value > 1e12) {
      times.push({ key, ms: value });
    } else if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < 2) {
      for (const inner of timesUnder(value, timeKey, depth + 1)) {
        times.push({ ...inner, key: `${key}.${inner.key}` });
      }
    }
  }
  return times;
}

// The first block reply is Gmail's first 421-4.7.28. A time under a key that contains
// "permanent" is compared with the first 550-5.7.1 instead.
function checkFirstBlock(gmail, truth, permanent) {
  const code = permanent ? "550" : "421";
  const name = `first Gmail ${code}`;
  if (gmail === null) return check(name, "n/a", "no Gmail entry in the output");
  const mark = permanent ? truth.gmail.first550 : truth.gmail.first421;
  const found = timesUnder(gmail).filter(({ key }) => /permanent/i.test(key) === permanent);
  if (found.length === 0) {
    const missing = `no time under a ${permanent ? "permanent " : ""}since/first key`;
    return check(name, permanent ? "n/a" : "fail", missing);
  }
  if (mark === null)
    return check(name, "fail", `the log has no Gmail ${code}, but the output shows one`);
  // RFC 3164 logs carry whole seconds, so allow the fraction either way.
  const match = found.find(({ ms }) => Math.abs(ms - Date.parse(mark.time)) < 1000);
  if (match !== undefined) {
    return check(
      name,
      "pass",
      `${match.key} ${new Date(match.ms).toISOString()} at line ${mark.line}`,
    );
  }
  const shown = found.map(({ key, ms }) => `${key} ${new Date(ms).toISOString()}`).join(", ");
  return check(name, "fail", `${shown}, expected ${mark.time} at line ${mark.line}`);
}

function checkGmailCounts(gmail, truth) {
  const name = "Gmail counts";
  const expected = truth.deliveries.byProvider.gmail;
  if (gmail === null) return check(name, "n/a", "no Gmail entry in the output");
  const keys = ["sent", "deferred", "bounced"].filter((key) => typeof gmail[key] === "number");
  if (keys.length === 0)
    return check(name, "n/a", "no sent/deferred/bounced numbers on the Gmail entry");
  const wrong = keys.filter((key) => gmail[key] !== expected[key]);
  const detail = keys.map((key) => `${key} ${gmail[key]}/${expected[key]}`).join(", ");
  return check(name, wrong.length === 0 ? "pass" : "fail", `output/truth: ${detail}`);
}

function checkCompromisedAccount(document, truth) {
  const name = "compromised account";
  const account = truth.incident.account;
  const findings = [...objectsIn(document)].find((object) => Array.isArray(object.findings));
  if (findings === undefined) return check(name, "n/a", "the output has no findings list");
  const finding = findings.findings.find((item) => item?.id === truth.incident.finding);
  if (finding === undefined) return check(name, "fail", `no ${truth.incident.finding} finding`);
  const named = JSON.stringify(finding).includes(account);
  return check(
    name,
    named ? "pass" : "fail",
    named ? `names ${account}` : `does not name ${account}`,
  );
}

// pflogsumm prints large counts in binary units (`1202k` = 1,231,312 / 1024, truncated).
function pflogsummUnits(value) {
  if (value > 536870912) return `${Math.floor(value / 1048576)}m`;
  if (value > 524288) return `${Math.floor(value / 1024)}k`;
  return String(value);
}

/** Checks pflogsumm's Grand Totals against the truth document. */
export function checkPflogsumm(text, truth) {
  const read = (pattern) => pattern.exec(text)?.[1] ?? null;
  const totals = truth.deliveries.remoteTotals;
  const messages = truth.messages;
  const pairs = [
    [
      "received",
      read(/^\s*(\d+[km]?)\s+received$/m),
      messages.sasl + messages.pickup + messages.compromised,
    ],
    ["delivered", read(/^\s*(\d+[km]?)\s+delivered$/m), totals.sent + truth.deliveries.local.sent],
    ["deferrals", read(/\((\d+[km]?)\s+deferrals\)/), totals.deferred],
    ["bounced", read(/^\s*(\d+[km]?)\s+bounced$/m), totals.bounced],
    [
      "rejected",
      read(/^\s*(\d+[km]?)\s+rejected /m),
      truth.inboundRejects.unknownUser + truth.inboundRejects.dnsbl,
    ],
  ];
  return pairs.map(([name, shown, expected]) => {
    if (shown === null) return check(`pflogsumm ${name}`, "fail", "not in the Grand Totals");
    const status = shown === pflogsummUnits(expected) ? "pass" : "fail";
    return check(`pflogsumm ${name}`, status, `${shown}, truth ${expected}`);
  });
}
