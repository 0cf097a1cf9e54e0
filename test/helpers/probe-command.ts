import { runCommand, type CliRun } from "./cli.js";

/**
 * Runs `delist probe --offline` from postmaster@example.com, HELO mail.example.com, to
 * someone@gmail.com through the MX at 127.0.0.1:`port`, recording it in the database `db`.
 */
export function runProbe(db: string, port: number, extra: readonly string[] = []): Promise<CliRun> {
  return runCommand([
    "probe",
    "--to",
    "someone@gmail.com",
    "--from",
    "postmaster@example.com",
    "--helo",
    "mail.example.com",
    "--mx",
    `127.0.0.1:${port}`,
    "--offline",
    "--db",
    db,
    ...extra,
  ]);
}
