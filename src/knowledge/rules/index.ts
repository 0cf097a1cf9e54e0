import type { ReplyRule } from "../rule.js";
import { APPLE_RULES } from "./apple.js";
import { COMCAST_RULES } from "./comcast.js";
import { GENERIC_RULES } from "./generic.js";
import { GMAIL_RULES } from "./gmail.js";
import { MAILCHANNELS_RULES } from "./mailchannels.js";
import { MAILRU_RULES } from "./mailru.js";
import { MICROSOFT_RULES } from "./microsoft.js";
import { ORANGE_RULES } from "./orange.js";
import { SWISSCOM_RULES } from "./swisscom.js";
import { T_ONLINE_RULES } from "./t-online.js";
import { UNITED_INTERNET_RULES } from "./united-internet.js";
import { YAHOO_RULES } from "./yahoo.js";
import { YANDEX_RULES } from "./yandex.js";

/** Provider rule sets keyed by operator (`PROVIDER_OPERATORS`), in matching order within each. */
export const PROVIDER_RULES: Readonly<Record<string, readonly ReplyRule[]>> = {
  google: GMAIL_RULES,
  microsoft: MICROSOFT_RULES,
  yahoo: YAHOO_RULES,
  apple: APPLE_RULES,
  comcast: COMCAST_RULES,
  "united-internet": UNITED_INTERNET_RULES,
  vk: MAILRU_RULES,
  yandex: YANDEX_RULES,
  orange: ORANGE_RULES,
  mailchannels: MAILCHANNELS_RULES,
  telekom: T_ONLINE_RULES,
  swisscom: SWISSCOM_RULES,
};

export { GENERIC_RULES };

/** Every rule, provider rules first; used by tests and documentation. */
export const ALL_RULES: readonly ReplyRule[] = [
  ...Object.values(PROVIDER_RULES).flat(),
  ...GENERIC_RULES,
];

const RULES_BY_ID: ReadonlyMap<string, ReplyRule> = new Map(
  ALL_RULES.map((rule) => [rule.id, rule]),
);

/** Returns the rule with the id `id`, or undefined when there is none. */
export function ruleById(id: string): ReplyRule | undefined {
  return RULES_BY_ID.get(id);
}
