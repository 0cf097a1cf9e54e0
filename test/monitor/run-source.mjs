// Runs a TypeScript entry point of this repository in a child process, as `node` runs the built
// one, by loading the source through Vite's module runner, the loader vitest itself uses. Tests
// that must kill a real process use it, so they never run a `dist/` older than the source.
//
// Usage: node test/monitor/run-source.mjs src/cli/bin.ts ARGS...
import { fileURLToPath } from "node:url";
import { createServer, createServerModuleRunner } from "vite";

const root = fileURLToPath(new URL("../../", import.meta.url));
const [entry] = process.argv.splice(2, 1);
if (entry === undefined) {
  process.stderr.write("usage: node run-source.mjs ENTRY.ts [ARGS...]\n");
  process.exit(2);
}

const server = await createServer({
  root,
  configFile: false,
  logLevel: "error",
  appType: "custom",
  server: { middlewareMode: true, hmr: false, watch: null, ws: false },
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
// The entry reads process.argv.slice(2) as its arguments, as under `node ENTRY.js ARGS...`.
process.argv[1] = entry;
await runner.import(`/${entry}`);
