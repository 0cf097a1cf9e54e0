import { REFERENCES } from "./findings/build.js";

/** The providers that have a removal or sender-support form. */
export const REMOVAL_PROVIDERS = [
  "gmail",
  "google-workspace",
  "outlook",
  "exchange-online",
  "yahoo",
] as const;

export type RemovalProvider = (typeof REMOVAL_PROVIDERS)[number];

/**
 * The minimum time between two removal requests for one provider and IP: 14 days. Gmail's
 * sender form should be sent at most once every two weeks. A repeated request does not speed
 * up a review at the other providers either, so the same wait applies to all of them.
 */
export const REMOVAL_WAIT_MS = 14 * 24 * 60 * 60 * 1000;

/** A provider's removal form and the rule for using it. */
export interface RemovalFormRule {
  readonly url: string;
  readonly rule: string;
}

/** The removal form of each provider that has one, for the report and `delist removal`. */
export const REMOVAL_FORMS: Readonly<Record<RemovalProvider, RemovalFormRule>> = {
  gmail: {
    url: REFERENCES.gmailSenderForm,
    rule: "Gmail usually lifts a block by itself within 3 to 5 days once the cause has stopped. Send the form at most once every two weeks.",
  },
  "google-workspace": {
    url: REFERENCES.gmailSenderForm,
    rule: "Google usually lifts a block by itself within 3 to 5 days once the cause has stopped. Send the form at most once every two weeks.",
  },
  outlook: {
    url: REFERENCES.outlookSupportForm,
    rule: "Open one request per IP with the exact reply text; Microsoft answers by e-mail.",
  },
  "exchange-online": {
    url: REFERENCES.exchangeDelist,
    rule: "The self-service delisting portal confirms by e-mail; delisting takes effect within about a day.",
  },
  yahoo: {
    url: REFERENCES.yahooSupportForm,
    rule: "Yahoo's deferrals usually end by themselves once volume and complaints drop; use the form if they last more than a few days.",
  },
};

/** Returns true when the provider has a removal form. */
export function hasRemovalForm(provider: string): provider is RemovalProvider {
  return (REMOVAL_PROVIDERS as readonly string[]).includes(provider);
}
