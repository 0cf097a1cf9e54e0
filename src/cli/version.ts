/** The version printed by `delist --version` and recorded in JSON output; keep in step with package.json. */
export const VERSION = "0.1.0";
