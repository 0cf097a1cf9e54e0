import { inputNameInText } from "../logs/reader/input-names.js";

/**
 * Formats the read error of input `name` for an `Error:` line, with the input's name in front
 * unless the message already starts with it, as the message for damaged gzip data on standard
 * input does.
 */
export function inputErrorText(name: string, error: string): string {
  const subject = inputNameInText(name);
  return error.startsWith(subject) ? error : `${subject}: ${error}`;
}
