import { execFileSync } from "node:child_process";

/**
 * Returns the POSIX shells to run quoted words through: those of dash (Debian's /bin/sh) and
 * bash that are installed, else `sh`.
 */
export function installedShells(): string[] {
  const found = ["dash", "bash"].filter((shell) => {
    try {
      execFileSync("sh", ["-c", `command -v ${shell}`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  return found.length > 0 ? found : ["sh"];
}

/**
 * Runs `printf '%s\0' WORDS` in `shell` and returns the bytes of each argument that printf
 * received. `words` is shell text as a report shows it, passed to the shell as UTF-8.
 */
export function shellArguments(shell: string, words: string): Buffer[] {
  const output = execFileSync(shell, ["-c", `printf '%s\\0' ${words}`]);
  const values: Buffer[] = [];
  let start = 0;
  for (let end = output.indexOf(0); end !== -1; end = output.indexOf(0, start)) {
    values.push(output.subarray(start, end));
    start = end + 1;
  }
  return values;
}
