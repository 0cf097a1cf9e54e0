import { Option, type Command } from "commander";
import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { UsageError, type CliIo } from "./io.js";

/**
 * Rules for the options that take a value, such as `--helo <name>` and `--ip <ip...>`.
 * Commander gives such an option the next word even when that word is an option, so
 * `--helo --offline` makes `--offline` the HELO name and the run queries DNS. An option that
 * takes several values also takes every word up to the next option, so `--selector --zone FILE`
 * makes `--zone` and `FILE` two selectors, and `--ip 192.0.2.1 example.com` leaves no domain.
 */

/** Values of the options that take several values, by option name such as `--ip`. */
export type VariadicValues = Readonly<Record<string, readonly string[] | undefined>>;

/** Options whose value is free text, which only the exact-name rule applies to. */
const freeTextOptions = new WeakSet<Option>();

/**
 * Creates an option whose value is free text, such as a note. A value that starts with `-` is
 * kept as typed, unless it is exactly one of the command's option names or `--`: commander
 * cannot tell `--note --force` from a note that reads "--force", and the first is the likely
 * one.
 */
export function freeTextOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  freeTextOptions.add(option);
  return option;
}

/**
 * Applies the rules to every option that takes a value, in `command` and its subcommands. Such
 * an option that takes an option of its command, or `--`, as its value is a usage error. An
 * option that `freeTextOption` created is rejected only for a value that is exactly an option
 * name or `--`, so `--note "--force please"` is kept. Commander's "missing required argument"
 * error gets a hint that names the option taking several values that may have taken the
 * argument.
 */
export function guardOptionValues(command: Command, io: CliIo): void {
  for (const option of command.options.filter(takesValue)) {
    rejectOptionValues(command, option);
  }
  explainMissingArguments(command, io);
  for (const subcommand of command.commands) guardOptionValues(subcommand, io);
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/**
 * Makes `option` throw a UsageError when it takes an option of `command` as its value. Commander
 * calls the parser for each value while it reads the options, so the error comes before any
 * missing argument is reported and before the command runs.
 */
function rejectOptionValues(command: Command, option: Option): void {
  const parse = option.parseArg;
  const freeText = freeTextOptions.has(option);
  option.argParser((value: string, previous: unknown): unknown => {
    const optionName = freeText ? exactOptionName(command, value) : optionNameIn(command, value);
    if (optionName !== null) throw new UsageError(optionTakenMessage(option, value, optionName));
    if (parse !== undefined) return parse.call(option, value, previous);
    if (!option.variadic) return value;
    // The first value replaces the default, as commander does for a variadic option.
    const values: unknown[] =
      previous === option.defaultValue || !Array.isArray(previous) ? [] : previous;
    return [...values, value];
  });
}

/**
 * Returns the option name of `command` that `value` is or starts with, as in `--zone=FILE` or
 * `-fjson`, or `--` for the end of options. Returns null for any other value.
 */
function optionNameIn(command: Command, value: string): string | null {
  if (value === "--") return value;
  if (!value.startsWith("-")) return null;

  const names = optionsOf(command).flatMap((option) => [option.long, option.short]);
  const long = value.startsWith("--") ? value.split("=", 1)[0] : undefined;
  const short = value.startsWith("--") ? undefined : value.slice(0, 2);
  return names.find((name) => name !== undefined && (name === long || name === short)) ?? null;
}

/** Returns `value` when it is exactly an option name of `command` or `--`, else null. */
function exactOptionName(command: Command, value: string): string | null {
  if (value === "--") return value;
  const names = optionsOf(command).flatMap((option) => [option.long, option.short]);
  return names.includes(value) ? value : null;
}

/** Returns the options of `command`, hidden ones and the help option included. */
function optionsOf(command: Command): Option[] {
  const visible = command.createHelp().visibleOptions(command);
  return [...command.options, ...visible.filter((option) => !command.options.includes(option))];
}

function optionTakenMessage(option: Option, value: string, optionName: string): string {
  const name = option.long ?? option.flags;
  const placeholder = /[<[].*[>\]]$/.exec(option.flags)?.[0] ?? "VALUE";
  const taken = optionName === "--" ? '"--", the end of the options,' : `the option "${value}"`;
  return (
    `${name} took ${taken} as its value: give ${name} a value before ${optionName} ` +
    `(${name} ${placeholder} ${optionName} ...), or leave ${name} out`
  );
}

/**
 * Adds a hint to commander's "missing required argument" error when an option that takes
 * several values may have taken the argument (`check --ip 192.0.2.1 example.com`).
 */
function explainMissingArguments(command: Command, io: CliIo): void {
  command.configureOutput({
    outputError: (text, write) => {
      const missing = /^error: missing required argument '([^']+)'/.exec(text);
      const variadic = Object.fromEntries(
        command.options
          .filter((option) => option.variadic)
          .map((option) => [
            option.long ?? option.flags,
            command.getOptionValue(option.attributeName()) as string[] | undefined,
          ]),
      );
      const hint =
        missing?.[1] === undefined ? "" : swallowedArgumentsHint(variadic, io.cwd, missing[1]);
      write(hint === "" ? text : `${text}${hint}\n`);
    },
  });
}

/**
 * Explains a missing argument that an option taking several values took instead: commander
 * gives an option such as `--ip <ip...>` every word up to the next option, so
 * `--ip 192.0.2.1 example.com` leaves no domain, and the taken argument is the option's last
 * value. Returns "" unless an option took more than one value, or, when logs are missing,
 * its one value is an existing path. Files are the values of options such as `--zone`, so
 * only a missing log is looked for among the paths.
 */
export function swallowedArgumentsHint(
  variadic: VariadicValues,
  cwd: string,
  missing: string,
): string {
  for (const [option, values] of Object.entries(variadic)) {
    const last = values?.at(-1);
    if (values === undefined || last === undefined) continue;
    const path = missing === "logs" && last !== "-" && existsSync(resolvePath(cwd, last));
    if (values.length > 1 || path) return `delist: ${tookValueMessage(option, last, missing)}`;
  }
  return "";
}

/** Builds the message for an option that took `value`, one of the `missing` arguments. */
export function tookValueMessage(option: string, value: string, missing: string): string {
  return (
    `${option} took "${value}" as one of its values: put the ${missing} before ` +
    "options that take several values, or end the option with --"
  );
}
