/**
 * Recipient domains and their MX hosts. Mailbox providers keep their real MX host names,
 * because delist recognises providers by them. Every address, other domain and IP address is
 * a documentation name or range (example.com/.net/.org, 192.0.2.0/24, 198.51.100.0/24,
 * 2001:db8::/32). The `provider` keys are delist's provider ids.
 */

const GMAIL_MX = [
  { host: "gmail-smtp-in.l.google.com", ip: "192.0.2.27", ipv6: "2001:db8:4860:4864::1b" },
  { host: "alt1.gmail-smtp-in.l.google.com", ip: "192.0.2.28", ipv6: "2001:db8:4860:4c06::1a" },
  { host: "alt2.gmail-smtp-in.l.google.com", ip: "192.0.2.29", ipv6: null },
  { host: "alt3.gmail-smtp-in.l.google.com", ip: "192.0.2.30", ipv6: null },
  { host: "alt4.gmail-smtp-in.l.google.com", ip: "192.0.2.31", ipv6: null },
];

function destination(provider, domain, weight, mx) {
  return { provider, domain, weight, mx, key: domain };
}

const PROVIDER_DESTINATIONS = [
  destination("gmail", "gmail.com", 38, GMAIL_MX),
  destination("gmail", "googlemail.com", 1, GMAIL_MX),
  destination("outlook", "outlook.com", 9, [
    { host: "outlook-com.olc.protection.outlook.com", ip: "192.0.2.41", ipv6: null },
  ]),
  destination("outlook", "hotmail.com", 8, [
    { host: "hotmail-com.olc.protection.outlook.com", ip: "192.0.2.42", ipv6: null },
  ]),
  destination("outlook", "live.com", 3, [
    { host: "live-com.olc.protection.outlook.com", ip: "192.0.2.43", ipv6: null },
  ]),
  destination("yahoo", "yahoo.com", 11, [
    { host: "mta5.am0.yahoodns.net", ip: "192.0.2.61", ipv6: null },
    { host: "mta6.am0.yahoodns.net", ip: "192.0.2.62", ipv6: null },
    { host: "mta7.am0.yahoodns.net", ip: "192.0.2.63", ipv6: null },
  ]),
  destination("yahoo", "aol.com", 4, [
    { host: "mx-aol.mail.gm0.yahoodns.net", ip: "192.0.2.64", ipv6: null },
  ]),
];

const OTHER_WORDS = [
  "acme",
  "globex",
  "initech",
  "umbrella",
  "hooli",
  "vandelay",
  "wayne",
  "stark",
];
const TLDS = ["example.net", "example.org", "example.com"];

function otherDestinations() {
  const list = [];
  for (let i = 0; i < 240; i++) {
    const domain = `${OTHER_WORDS[i % OTHER_WORDS.length]}${i}.${TLDS[i % TLDS.length]}`;
    const ip = `198.51.100.${20 + (i % 200)}`;
    // Every twentieth partner domain is a Google Workspace customer (MX aspmx.l.google.com).
    if (i % 20 === 7) {
      list.push(
        destination("google-workspace", domain, 0.1, [
          { host: "aspmx.l.google.com", ip: "192.0.2.32", ipv6: null },
        ]),
      );
    } else {
      list.push(destination("other", domain, 0.1, [{ host: `mx.${domain}`, ip, ipv6: null }]));
    }
  }
  return list;
}

const ALL = [...PROVIDER_DESTINATIONS, ...otherDestinations()];
const TOTAL_WEIGHT = ALL.reduce((sum, item) => sum + item.weight, 0);

/** The Gmail destination, which the compromised account sprays. */
export const GMAIL = ALL[0];

/** Picks a recipient domain for ordinary mail: about 40 % Gmail, 20 % Outlook, 15 % Yahoo. */
export function pickDestination(random) {
  let roll = random.float() * TOTAL_WEIGHT;
  for (const item of ALL) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  return ALL[ALL.length - 1];
}

/**
 * Picks the MX host for one delivery attempt: the first host most of the time, like a
 * client that honours MX preferences; Gmail's IPv6 address one time in ten where it has one.
 */
export function pickMx(random, destination) {
  const hosts = destination.mx;
  const mx = hosts.length === 1 || random.chance(0.7) ? hosts[0] : random.pick(hosts);
  const ip = mx.ipv6 !== null && random.chance(0.1) ? mx.ipv6 : mx.ip;
  return { host: mx.host, ip };
}

const LOCAL_PARTS = [
  "anna",
  "ben",
  "chloe",
  "dev",
  "emma",
  "finn",
  "grace",
  "hugo",
  "ines",
  "jonas",
  "kai",
  "lena",
  "max",
  "nora",
  "oscar",
  "pia",
  "quinn",
  "rosa",
  "sam",
  "tara",
  "cust",
  "member",
];

/** Returns a new mailbox address at `destination`'s domain. */
export function makeAddress(random, destination) {
  return `${random.pick(LOCAL_PARTS)}${random.int(100000, 999999)}@${destination.domain}`;
}
