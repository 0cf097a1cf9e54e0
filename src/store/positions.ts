import type { Db } from "./database.js";

/**
 * How far a followed log was read. The fingerprint identifies the file across renames and
 * compression: a hash of its first `fingerprintBytes` bytes (decompressed for gzip).
 */
export interface LogPosition {
  readonly fingerprint: string;
  readonly fingerprintBytes: number;
  /** Bytes of the (decompressed) file already read. */
  readonly offset: number;
  /**
   * `DEVICE:INODE:BIRTH_NS` of the file, which identifies it when `fingerprintBytes` is 0.
   * Null when the file system reports no inode, and in rows saved before schema version 6.
   */
  readonly fileId: string | null;
}

/** The read positions of followed logs, keyed by the configured path. */
export class PositionRepository {
  constructor(private readonly db: Db) {}

  /** Returns the saved position of `path`, or null when it was never read. */
  get(path: string): LogPosition | null {
    const row = this.db
      .prepare(
        "SELECT fingerprint, fingerprint_bytes AS fingerprintBytes, offset, file_id AS fileId FROM log_positions WHERE path = ?",
      )
      .get(path) as LogPosition | undefined;
    return row ?? null;
  }

  /** Saves the position of `path`. */
  save(path: string, position: LogPosition, at: number): void {
    this.db
      .prepare(
        `INSERT INTO log_positions
           (path, fingerprint, fingerprint_bytes, offset, file_id, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint,
           fingerprint_bytes = excluded.fingerprint_bytes, offset = excluded.offset,
           file_id = excluded.file_id, updated_at = excluded.updated_at`,
      )
      .run(
        path,
        position.fingerprint,
        position.fingerprintBytes,
        position.offset,
        position.fileId,
        at,
      );
  }
}
