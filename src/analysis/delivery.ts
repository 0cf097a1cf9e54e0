import type { ProviderId } from "../knowledge/providers.js";
import type { DeliveryEvent } from "../logs/events.js";

/** A remote delivery attempt with what every analyser needs, worked out once per event. */
export interface Delivery {
  readonly event: DeliveryEvent;
  readonly provider: ProviderId;
  /** The company behind the provider: `google`, `microsoft`, `yahoo`… */
  readonly operator: string;
  /** `hashString` of the recipient, for the distinct counters. */
  readonly recipientHash: number;
}
