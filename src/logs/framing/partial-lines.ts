/**
 * Joining of the partial lines that container runtimes write for one long line. containerd
 * and CRI-O write each part but the last as a CRI line tagged `P` and the last one tagged `F`.
 * Docker's json-file driver writes each part but the last without the `\n` at the end of its
 * `log` value. containerd splits at `max_container_log_line_size`, 16 KiB by default since
 * containerd 1.1.2, and Docker at 16 KiB since Docker 1.13.
 */

/** The output stream of a container, as CRI lines and json-file objects name it. */
export type ContainerStream = "stdout" | "stderr";

/** A line joined from its parts, dated and numbered by its first part. */
export interface JoinedLine {
  /** The text of the line, cut to the maximum line length. */
  readonly text: string;
  /** The runtime's time of the first part, in ms since the epoch. */
  readonly time: number;
  /** The 1-based line number of the first part in its file. */
  readonly line: number;
}

// The parts of one stream's line read so far.
interface OpenLine {
  text: string;
  readonly time: number;
  readonly line: number;
  // True once a part did not fit in `maxLineChars`.
  cut: boolean;
}

/** Returns the stream named `name`, or null for a name that no runtime writes. */
export function containerStreamOf(name: string): ContainerStream | null {
  if (name === "stdout" || name === "stderr") return name;
  return null;
}

/**
 * Joiner of the partial lines of one container log format. Each stream has its own open line,
 * so the parts of interleaved stdout and stderr lines stay apart. An open line keeps at most
 * `maxLineChars` chars, so memory stays bounded however many parts follow. A line cut so is
 * counted in `overlongLines`, once, and the chars past the limit are dropped.
 */
export class PartialLineJoiner {
  /** Joined lines cut to `maxLineChars`, since the joiner was made. */
  overlongLines = 0;

  private stdout: OpenLine | null = null;
  private stderr: OpenLine | null = null;
  private openLines = 0;

  constructor(private readonly maxLineChars: number) {}

  /** True while no stream has an open line, so a last part needs no look-up. */
  get isEmpty(): boolean {
    return this.openLines === 0;
  }

  /**
   * Adds `text`, a part that is not the last of its line, to the open line of `stream`. The
   * first part of a line gives it `time` and `line`.
   */
  add(stream: ContainerStream, text: string, time: number, line: number): void {
    let open = stream === "stdout" ? this.stdout : this.stderr;
    if (open === null) {
      open = { text: "", time, line, cut: false };
      if (stream === "stdout") this.stdout = open;
      else this.stderr = open;
      this.openLines += 1;
    }
    this.append(open, text);
  }

  /**
   * Returns the line that `text`, the last part of a line of `stream`, ends, or null when
   * `stream` has no open line, so that `text` is a whole line.
   */
  complete(stream: ContainerStream, text: string): JoinedLine | null {
    const open = stream === "stdout" ? this.stdout : this.stderr;
    if (open === null) return null;
    if (stream === "stdout") this.stdout = null;
    else this.stderr = null;
    this.openLines -= 1;
    this.append(open, text);
    return { text: open.text, time: open.time, line: open.line };
  }

  /** Returns the open lines, in the order of their first parts, and removes them. */
  takeOpenLines(): JoinedLine[] {
    const open = [this.stdout, this.stderr].filter((each) => each !== null);
    this.stdout = null;
    this.stderr = null;
    this.openLines = 0;
    return open
      .sort((a, b) => a.line - b.line)
      .map(({ text, time, line }) => ({ text, time, line }));
  }

  // Appends as much of `part` to the open line as fits in `maxLineChars`.
  private append(open: OpenLine, part: string): void {
    const room = this.maxLineChars - open.text.length;
    if (part.length <= room) {
      open.text += part;
      return;
    }
    if (!open.cut) this.overlongLines += 1;
    open.cut = true;
    if (room > 0) open.text += part.slice(0, room);
  }
}
