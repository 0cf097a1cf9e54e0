import ipaddr from "ipaddr.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding, LogSample } from "../types.js";
import type { MtaName } from "../../logs/events.js";
import { finding, listNames, plural } from "./build.js";
import { mtaStep } from "./mta-steps.js";

/**
 * Below this many failed logins a log shows the background scanning that every server on the
 * internet gets, and the report stays quiet about it.
 */
const MIN_FAILED_LOGINS = 1000;

/**
 * A successful login from an address with at least this many failed logins is named. One
 * mistyped password is normal. A run of failures and then a success is how a guessed password
 * looks, or a device with an old password beside one with the new.
 */
const MIN_FAILURES_BEFORE_SUCCESS = 20;

/** An account that logged in from an address that also failed many logins. */
interface GuessedLogin {
  readonly account: string;
  readonly ip: string;
  readonly failures: number;
}

/** The facts of password guessing in a log, for a finding of its own or inside another. */
interface PasswordGuessing {
  readonly evidence: PasswordGuessingEvidence;
  readonly guessed: readonly GuessedLogin[];
  /** The failed logins by count and addresses, such as "2,032 failed logins from 125 addresses". */
  readonly attempts: string;
  /** Sentences on when and how often logins failed, and on the accounts that logged in after. */
  readonly summary: string;
  readonly sample: LogSample;
}

/** Evidence of password guessing, as `passwordGuessingEvidence` in docs/diagnose.schema.json. */
interface PasswordGuessingEvidence {
  readonly kind: "password-guessing";
  readonly failedLogins: number;
  readonly failureAddresses: number;
  readonly failureAddressesExact: boolean;
  readonly firstFailure: string;
  readonly lastFailure: string;
  readonly peakFailuresPerHour: number;
  readonly topAddresses: ReadonlyArray<{ ip: string; count: number }>;
  readonly failureAccounts: number;
  readonly failureAccountsExact: boolean;
  readonly accountsTried: ReadonlyArray<{ account: string; count: number }>;
  readonly accountsTriedExact: boolean;
  readonly guessedLogins: readonly GuessedLogin[];
}

/**
 * Adds password guessing against SMTP AUTH or the mailbox to the `compromised-account` findings
 * of `findings`, so that the guessing adds no second finding with that id.
 *
 * The guessing goes into the first finding, whose account sent to the most recipients, as its
 * `passwordGuessing` evidence, sentences and fixes. Its severity and role stay, because a sending
 * burst outweighs failed logins.
 *
 * With no such finding, the guessing becomes one of its own: the early form of a compromise,
 * under the same id of the closed id set. Many failed logins are then only information, because
 * a guess must succeed before an account is lost. They become a warning when an address that
 * failed many of them also logged in. The role is `contributing`, and `assignRoles` makes it an
 * `observation` when the log shows no block it can worsen.
 */
export function withPasswordGuessing(
  context: DiagnoseContext,
  findings: readonly Finding[],
): Finding[] {
  const guessing = passwordGuessing(context);
  if (guessing === null) return [...findings];
  const [first, ...others] = findings;
  if (first === undefined) return [guessingFinding(context, guessing)];

  const compromised = new Set(findings.map(accountOf));
  const fixes = guessingFixes(context, guessing.guessed, compromised);
  const merged: Finding = {
    ...first,
    summary: `${first.summary} The log also shows password guessing. ${guessing.summary}`,
    evidence: { ...first.evidence, passwordGuessing: guessing.evidence },
    samples: [...first.samples, guessing.sample],
    fix: [...first.fix, ...fixes.filter((step) => !first.fix.includes(step))],
  };
  return [merged, ...others];
}

/**
 * Builds the finding for password guessing in a log without a compromised account.
 * NOTE: guessing that no login followed still gets the id `compromised-account`, so an alert
 * keyed on that id fires although the finding states that no account was lost.
 */
function guessingFinding(context: DiagnoseContext, guessing: PasswordGuessing): Finding {
  const { guessed } = guessing;
  return finding("compromised-account", {
    severity: guessed.length > 0 ? "warning" : "info",
    role: "contributing",
    title:
      guessed.length > 0
        ? `Password guessing: ${listNames(guessed.map((login) => login.account))} logged in from an address that failed many logins`
        : `Password guessing: ${guessing.attempts}`,
    summary: guessing.summary,
    evidence: guessing.evidence,
    samples: [guessing.sample],
    fix: guessingFixes(context, guessed, new Set()),
  });
}

/**
 * Gathers the facts of password guessing, or returns null when the log shows too few failed
 * logins and no login from an address that failed many.
 */
function passwordGuessing(context: DiagnoseContext): PasswordGuessing | null {
  const server = context.facts.server;
  const guessed = guessedLogins(context);
  if (server.authFailures < MIN_FAILED_LOGINS && guessed.length === 0) return null;
  if (server.firstAuthFailure === null || server.lastAuthFailure === null) return null;

  const addresses = server.authFailureAddresses.size;
  const about = server.authFailureAddresses.isExact ? "" : "about ";
  const peak = Math.max(...server.authFailuresByHour.values());
  const users = server.authFailureUsers.top(10);
  const first = server.firstAuthFailure;
  const summary =
    `From ${context.time(first.time)} to ${context.time(server.lastAuthFailure)} the server refused ` +
    `${plural(server.authFailures, "login")}, up to ` +
    `${peak.toLocaleString("en-US")} in one hour. ` +
    (guessed.length > 0
      ? guessed.map(guessedSentence).join(" ") +
        " Check with the owners that these logins were theirs."
      : "No address that failed many logins also logged in; a guessed password would show as such a login.");
  return {
    evidence: {
      kind: "password-guessing",
      failedLogins: server.authFailures,
      failureAddresses: addresses,
      failureAddressesExact: server.authFailureAddresses.isExact,
      firstFailure: context.time(first.time),
      lastFailure: context.time(server.lastAuthFailure),
      peakFailuresPerHour: peak,
      topAddresses: top(server.authFailureIps, 10).map(([ip, count]) => ({ ip, count })),
      ...failureAccounts(context),
      // Past 10,000 names the counts are lower bounds: the failures since the name last
      // entered the bounded table.
      accountsTried: users.map((user) => ({
        account: user.key,
        count: user.count - user.overcount,
      })),
      accountsTriedExact: server.authFailureUsers.isExact,
      guessedLogins: guessed,
    },
    guessed,
    attempts: `${plural(server.authFailures, "failed login")} from ${about}${plural(addresses, "address", "addresses")}`,
    summary,
    sample: context.sample(first.time, first.position, "first failed login"),
  };
}

/**
 * Counts the distinct account names of the failed logins: exactly from the table of the most
 * tried names while it contains every name, and as an estimate once a spray of names overflowed it.
 */
function failureAccounts(
  context: DiagnoseContext,
): Pick<PasswordGuessingEvidence, "failureAccounts" | "failureAccountsExact"> {
  const { authFailureUsers, authFailureAccounts } = context.facts.server;
  if (authFailureUsers.isExact) {
    return { failureAccounts: authFailureUsers.size, failureAccountsExact: true };
  }
  return { failureAccounts: authFailureAccounts.size, failureAccountsExact: false };
}

/**
 * Builds the fixes for password guessing. The password step leaves out the `compromised`
 * accounts, because the first step of their own finding changes their passwords.
 */
function guessingFixes(
  context: DiagnoseContext,
  guessed: readonly GuessedLogin[],
  compromised: ReadonlySet<string>,
): string[] {
  const accounts = [
    ...new Set(guessed.map((login) => login.account).filter((name) => !compromised.has(name))),
  ];
  return [
    ...(accounts.length > 0
      ? [`Change the passwords of ${listNames(accounts)} and end their sessions.`]
      : []),
    banFailedLoginsStep(context.facts.server.mtas, context.facts.server.dovecotEvents > 0),
    "Offer SMTP AUTH only on the submission ports 587 and 465, not on port 25.",
    "Require strong passwords, and app passwords or a second factor where the mail clients allow it.",
  ];
}

/** Returns the account of a `compromised-account` finding's sending burst, or "" for none. */
function accountOf(found: Finding): string {
  const account = (found.evidence as { account?: unknown }).account;
  return typeof account === "string" ? account : "";
}

/**
 * The jail of fail2ban's jail.conf or the MTA setting that bans or slows an address
 * after failed SMTP AUTH logins, by MTA. The `exim` jail matches Exim's `authenticator failed`
 * lines.
 */
const LOGIN_BANS: Readonly<Record<MtaName, string>> = {
  postfix:
    "the `postfix-sasl` jail, or `smtpd_client_auth_rate_limit` (Postfix 3.1 and later), which limits the AUTH commands of each client",
  exim: "the `exim` jail",
  sendmail: "the `sendmail-auth` jail",
};

/**
 * Builds the step that bans addresses after failed logins, with the jails of `mtas`. The
 * `dovecot` jail comes last and only when `dovecotLogged`, because it reads Dovecot's own lines.
 * SMTP AUTH failures that an MTA checks through Dovecot, such as Exim's `dovecot_login
 * authenticator failed`, are the MTA's lines, which only the MTA's jail reads.
 */
export function banFailedLoginsStep(mtas: ReadonlySet<MtaName>, dovecotLogged: boolean): string {
  const step = mtaStep("Ban addresses after a few failed logins with fail2ban.", LOGIN_BANS, mtas);
  if (!dovecotLogged) return step;
  return `${step} Dovecot: the \`dovecot\` jail, which reads Dovecot's own log and covers mailbox logins.`;
}

/**
 * Lists accounts that logged in from an address that failed at least
 * {@link MIN_FAILURES_BEFORE_SUCCESS} logins. A login is a message submitted with SMTP AUTH, a
 * Sendmail `AUTH=server` line (also one that no message follows) or a mailbox login.
 * NOTE: only the first 1,000 failing addresses are kept, so a guess from a later one is missed.
 */
function guessedLogins(context: DiagnoseContext): GuessedLogin[] {
  const { server, origins } = context.facts;
  const found = new Map<string, GuessedLogin>();
  const consider = (account: string, ip: string): void => {
    if (isProxyAddress(ip)) return;
    const failures = server.authFailureIps.get(ip) ?? 0;
    const key = `${account}\u0000${ip}`;
    if (failures >= MIN_FAILURES_BEFORE_SUCCESS && !found.has(key)) {
      found.set(key, { account, ip, failures });
    }
  };
  for (const account of origins.accounts.values()) {
    for (const ip of account.clientIps.keys()) consider(account.key, ip);
  }
  for (const logins of [server.logins, server.smtpLogins]) {
    for (const [account, uses] of logins) {
      for (const ip of uses.keys()) consider(account, ip);
    }
  }
  return [...found.values()].sort((a, b) => b.failures - a.failures).slice(0, 10);
}

/** Ranges where a webmail or proxy logs in for everyone, so failures and successes mix. */
const PROXY_RANGES = new Set(["loopback", "private", "uniqueLocal", "linkLocal", "unspecified"]);

/**
 * Returns true for loopback and private addresses. A webmail on the same host or network
 * logs in from there for all its users, so a mistyped password there is no sign of guessing.
 */
function isProxyAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return true;
  const parsed = ipaddr.process(ip);
  return PROXY_RANGES.has(parsed.range());
}

function guessedSentence(login: GuessedLogin): string {
  return `${login.account} logged in from ${login.ip}, which failed ${plural(login.failures, "login")}.`;
}

function top(counts: ReadonlyMap<string, number>, limit: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit);
}
