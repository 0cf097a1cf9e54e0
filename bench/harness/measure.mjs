import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import process from "node:process";
import { clearInterval, setInterval } from "node:timers";

const GNU_TIME = "/usr/bin/time";
const POLL_MS = 50;
const STDERR_LIMIT = 64 * 1024;

/**
 * Runs `command` with `args`, sends its standard output to `stdoutPath`, and measures wall
 * time, CPU time and peak resident set size. With GNU time installed (/usr/bin/time), the
 * figures come from the kernel's accounting of the child (wait4 rusage). Otherwise /proc/PID
 * is polled every 50 ms, which can miss the CPU time and memory of the last poll interval.
 *
 * Resolves to { exitCode, wallSeconds, userSeconds, systemSeconds, peakRssBytes, stderr,
 * method }.
 */
export async function measure(command, args, stdoutPath) {
  if (existsSync(GNU_TIME)) return measureWithTime(command, args, stdoutPath);
  return measureWithProc(command, args, stdoutPath);
}

async function measureWithTime(command, args, stdoutPath) {
  const statsPath = `${stdoutPath}.time`;
  const timeArgs = ["-f", "%e %U %S %M", "-o", statsPath, command, ...args];
  const run = await runChild(GNU_TIME, timeArgs, stdoutPath, () => {});
  const fields = readFileSync(statsPath, "utf8").trim().split("\n").pop().split(" ");
  rmSync(statsPath, { force: true });
  return {
    ...run,
    userSeconds: Number(fields[1]),
    systemSeconds: Number(fields[2]),
    // GNU time reports the maximum resident set size in KiB.
    peakRssBytes: Number(fields[3]) * 1024,
    method: "GNU time (wait4 rusage)",
  };
}

async function measureWithProc(command, args, stdoutPath) {
  const sample = { userSeconds: 0, systemSeconds: 0, peakRssBytes: 0 };
  const run = await runChild(command, args, stdoutPath, (pid) => pollProc(pid, sample));
  return { ...run, ...sample, method: `/proc polling every ${POLL_MS} ms` };
}

// Reads VmHWM (peak RSS) from /proc/PID/status and utime/stime from /proc/PID/stat. The
// CPU times are in clock ticks of USER_HZ, which is 100 on x86 and ARM Linux.
function pollProc(pid, sample) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (hwm !== null) sample.peakRssBytes = Math.max(sample.peakRssBytes, Number(hwm[1]) * 1024);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    sample.userSeconds = Number(fields[11]) / 100;
    sample.systemSeconds = Number(fields[12]) / 100;
  } catch {
    // The process has exited between two polls; keep the last sample.
  }
}

function runChild(command, args, stdoutPath, onPoll) {
  return new Promise((resolve, reject) => {
    const stdoutFd = openSync(stdoutPath, "w");
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", stdoutFd, "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text) => {
      if (stderr.length < STDERR_LIMIT) stderr += text;
    });
    const timer = setInterval(() => onPoll(child.pid), POLL_MS);
    child.on("error", (error) => {
      clearInterval(timer);
      closeSync(stdoutFd);
      reject(error);
    });
    child.on("close", (exitCode, signal) => {
      clearInterval(timer);
      closeSync(stdoutFd);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ exitCode: exitCode ?? `signal ${signal}`, wallSeconds, stderr });
    });
  });
}
