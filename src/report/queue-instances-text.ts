import type { QueueSpaceInstance, QueueSpaceReport } from "../diagnose/queue-space.js";
import { DEFAULT_INSTANCE } from "../logs/postfix/queues.js";

/** The file system of the default Postfix instance's queue directory, as the fixes name it. */
export const POSTFIX_QUEUE_FILE_SYSTEM =
  "the file system of the queue directory (`postconf -h queue_directory`, usually " +
  "/var/spool/postfix)";

/** The words of a Postfix fix that name the queue directories to free. */
export interface QueueDirectoryText {
  /** The file systems to free, as the object of "Free space on …". */
  readonly fileSystem: string;
  /** Sentences on the `syslog_name`s that are no instance of their own, or "". */
  readonly sentences: string;
}

/**
 * Returns the Postfix instances of a report whose lines are not only the default instance's,
 * else an empty list.
 */
function namedInstances(report: QueueSpaceReport): readonly QueueSpaceInstance[] {
  const kinds = report.instanceKinds;
  if (kinds.length === 1 && kinds[0]?.name === DEFAULT_INSTANCE) return [];
  return kinds;
}

/**
 * Returns " in the Postfix instance postfix-out" (see `namedInstances`), " in the lines of
 * postfix-submission" when a name may be no instance, or "".
 */
export function instancesPhrase(report: QueueSpaceReport): string {
  const named = namedInstances(report);
  if (named.length === 0) return "";
  const names = named.map((instance) => instance.name).join(", ");
  if (named.some((instance) => instance.kind !== "instance")) return ` in the lines of ${names}`;
  return named.length === 1
    ? ` in the Postfix instance ${names}`
    : ` in the Postfix instances ${names}`;
}

/**
 * Returns the queue directories that a Postfix fix names. Each instance has a queue directory
 * of its own, which may sit on another file system. A master.cf service with `-o syslog_name`
 * uses the queue of its instance. A name that the log cannot place gets the commands for both
 * cases.
 */
export function queueDirectoryText(report: QueueSpaceReport): QueueDirectoryText {
  const named = namedInstances(report);
  const owners = new Set<string>();
  const unknown: string[] = [];
  const sentences: string[] = [];
  for (const { name, kind, owner } of named) {
    if (kind === "instance") owners.add(name);
    else if (kind === "alias" && owner !== null) {
      owners.add(owner);
      sentences.push(aliasSentence(name, owner));
    } else {
      unknown.push(name);
      sentences.push(unknownSentence(name));
    }
  }
  return { fileSystem: fileSystemOf([...owners], unknown), sentences: sentences.join(" ") };
}

function fileSystemOf(instances: readonly string[], unknown: readonly string[]): string {
  if (unknown.length === 0) return instanceFileSystem(instances);
  const uses =
    unknown.length === 1
      ? `the queue directory that ${unknown[0]} uses`
      : `the queue directories that ${unknown.join(", ")} use`;
  if (instances.length === 0) {
    return unknown.length === 1 ? `the file system of ${uses}` : `the file systems of ${uses}`;
  }
  return `${instanceFileSystem(instances)} as well as that of ${uses}`;
}

/**
 * Returns the file system of the queue directories of these instances, with the command that
 * prints each directory. postmulti(1) runs a command with the configuration of one instance,
 * so `postmulti -i NAME -x postconf -h queue_directory` prints that instance's queue
 * directory, while plain `postconf` reads the default instance's main.cf.
 */
function instanceFileSystem(instances: readonly string[]): string {
  const [first] = instances;
  if (first === undefined || (instances.length === 1 && first === DEFAULT_INSTANCE)) {
    return POSTFIX_QUEUE_FILE_SYSTEM;
  }
  if (instances.length === 1) {
    return (
      `the file system of the queue directory of the instance ${first} ` +
      `(\`postmulti -i ${first} -x postconf -h queue_directory\`)`
    );
  }
  const perInstance = "`postmulti -i NAME -x postconf -h queue_directory` for each instance NAME";
  const commands = instances.includes(DEFAULT_INSTANCE)
    ? `\`postconf -h queue_directory\` for the default instance postfix, and ${perInstance} of the others`
    : perInstance;
  return `the file systems of the queue directories of these instances (${commands})`;
}

function aliasSentence(name: string, owner: string): string {
  return (
    `${name} is no Postfix instance but the \`-o syslog_name\` of a master.cf service of the ` +
    `instance ${owner}, whose cleanup or queue manager took over the mail that ${name} ` +
    "received, so it uses that instance's queue."
  );
}

function unknownSentence(name: string): string {
  return (
    `The log does not show whether ${name} is a Postfix instance or the ` +
    `\`-o syslog_name=${name}\` of a master.cf service, which uses the queue of its instance. ` +
    `For an instance, \`postmulti -i ${name} -x postconf -h queue_directory\` prints its ` +
    "queue directory (`postmulti -l` lists the instances). For a service, it is the queue " +
    "directory of the instance whose master.cf sets that name, which `postconf -h " +
    "queue_directory` prints for the default instance."
  );
}
