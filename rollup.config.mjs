// Bundles the Action (dist/index.js) and the CLI (dist/cli.js) as self-contained ES
// modules for Node 20 and 24. GitHub runs dist/index.js without installing
// dependencies, so everything the code imports is inlined.
//
// The output must be byte-for-byte reproducible, because CI rebuilds it and compares
// it with the committed dist/: no source maps (they hold absolute paths), no banner
// with a date, and module ids that rollup prints relative to the project.

import commonjs from "@rollup/plugin-commonjs";
import json from "@rollup/plugin-json";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import typescript from "@rollup/plugin-typescript";

const outputDir = process.env.MTA_STS_GITOPS_DIST ?? "dist";

/**
 * Some CommonJS dependencies call `require` at run time in ways the commonjs plugin
 * cannot rewrite. An ES module has no `require`, so each bundle defines one.
 */
const requireShim = [
  'import { createRequire as __createRequire } from "node:module";',
  "const require = __createRequire(import.meta.url);",
].join("\n");

function bundle(input, file, banner) {
  return {
    input,
    output: {
      file: `${outputDir}/${file}`,
      format: "es",
      sourcemap: false,
      inlineDynamicImports: true,
      banner,
    },
    plugins: [
      typescript({
        tsconfig: "./tsconfig.json",
        include: ["src/**/*.ts"],
        // `npm run build` type-checks the whole project; here TypeScript only strips types.
        noCheck: true,
        noEmitOnError: false,
        outputToFilesystem: false,
        compilerOptions: { noEmit: false, module: "esnext", moduleResolution: "bundler" },
      }),
      nodeResolve({ preferBuiltins: true, exportConditions: ["node", "import", "default"] }),
      commonjs(),
      json({ preferConst: true }),
    ],
    onwarn(warning, warn) {
      // Circular imports inside dependencies are theirs to keep and work at run time.
      if (
        warning.code === "CIRCULAR_DEPENDENCY" &&
        warning.ids?.every((id) => id.includes("node_modules"))
      ) {
        return;
      }
      // Dependencies compiled from TypeScript rewrite `this` at the top level of a module.
      if (warning.code === "THIS_IS_UNDEFINED") {
        return;
      }
      // zod 4 places `@__PURE__` comments where rollup cannot use them; rollup drops them.
      if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("node_modules")) {
        return;
      }
      warn(warning);
    },
  };
}

export default [
  bundle("src/action.ts", "index.js", requireShim),
  bundle("src/cli.ts", "cli.js", `#!/usr/bin/env node\n${requireShim}`),
];
