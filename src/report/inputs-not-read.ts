import { plural } from "./wrap.js";

/**
 * Returns the words that follow the verdict label when some inputs could not be read, such as
 * " for the logs read, 1 input not read", or "" when every input was read. A label without
 * them would read as the verdict of all the inputs. The text report prints them in capitals.
 */
export function inputsNotReadWords(inputsNotRead: readonly string[]): string {
  if (inputsNotRead.length === 0) return "";
  return ` for the logs read, ${plural(inputsNotRead.length, "input")} not read`;
}
