// Runs a TypeScript entry point of this repository in a child process through Vite's module
// runner, as test/monitor/run-source.mjs does. When the process exits, it writes the modules
// that ran to a JSON file: source files as paths relative to the repository, packages as their
// entry file under node_modules, and Node's built-in modules by name.
//
// Usage: node test/cli/loaded-modules.mjs OUTPUT.json src/cli/bin.ts ARGS...
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, createServerModuleRunner } from "vite";

const root = fileURLToPath(new URL("../../", import.meta.url));
const [output, entry] = process.argv.splice(2, 2);
if (output === undefined || entry === undefined) {
  process.stderr.write("usage: node loaded-modules.mjs OUTPUT.json ENTRY.ts [ARGS...]\n");
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
process.on("exit", () => {
  const ids = [...runner.evaluatedModules.idToModuleMap.keys()];
  const names = ids.map((id) => (id.startsWith("/") ? relative(root, id) : id));
  writeFileSync(output, `${JSON.stringify(names.sort(), null, 2)}\n`);
});
// The entry reads process.argv.slice(2) as its arguments, as under `node ENTRY.js ARGS...`.
process.argv[1] = entry;
await runner.import(`/${entry}`);
