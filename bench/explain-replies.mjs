// Measures `explain` calls per second on the non-2xx replies of the scenario logs, as the log
// analysers make them: the reply with its Postfix or Exim wrapper, plus relay and recipient.
//
// Usage: npm run build && node bench/explain-replies.mjs [corpus folder]
// The corpus folder defaults to $DELIST_CORPUS.
import console from "node:console";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { createReplyClassifier } from "../dist/reply/classify.js";

const corpus = process.argv[2] ?? process.env.DELIST_CORPUS;
if (corpus === undefined || corpus === "") {
  console.error("usage: node bench/explain-replies.mjs CORPUS (or set DELIST_CORPUS)");
  process.exit(2);
}

const POSTFIX =
  /postfix\/smtp\[\d+\]: \w+: (?:to=<([^>]+)>.*?relay=([^[,]+)\[.*?status=(?:deferred|bounced) \((host .*)\)|(host (\S+?)\[.*))$/;
const EXIM = /(?:\*\*|==) (\S+) .*?H=(\S+) \[.*?(SMTP error from remote.*)$/;

function collectReplies(folder) {
  const replies = [];
  for (const name of readdirSync(folder).filter((file) => file.endsWith(".log"))) {
    for (const line of readFileSync(join(folder, name), "utf8").split("\n")) {
      const postfix = POSTFIX.exec(line);
      if (postfix !== null) {
        const text = postfix[3] ?? postfix[4];
        if (/said:|refused to talk/.test(text)) {
          replies.push({
            text,
            hints: { relayHost: postfix[2] ?? postfix[5], recipient: postfix[1] ?? null },
          });
        }
        continue;
      }
      const exim = EXIM.exec(line);
      if (exim !== null)
        replies.push({ text: exim[3], hints: { relayHost: exim[2], recipient: exim[1] } });
    }
  }
  return replies;
}

const replies = collectReplies(join(corpus, "logs", "scenarios"));
const rounds = 10;
const classifier = createReplyClassifier();
for (const reply of replies) classifier.explain(reply.text, reply.hints);

// CPU time as well as wall time, because the machines that run this are often shared.
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
for (let round = 0; round < rounds; round++) {
  for (const reply of replies) classifier.explain(reply.text, reply.hints);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const calls = replies.length * rounds;
console.log(
  `${replies.length} replies from the scenario logs, ${rounds} rounds after one warm-up round`,
);
console.log(
  `wall: ${calls} explain calls in ${seconds.toFixed(2)} s, ${Math.round(calls / seconds)} calls/s`,
);
console.log(
  `cpu:  ${cpuSeconds.toFixed(2)} s of CPU time, ${Math.round(calls / cpuSeconds)} calls per CPU second`,
);
