// Copies the pinned, already-minified browser assets from node_modules into
// gonghui/static/vendor/ (served by Django/whitenoise; no CDN: the platform must run on an
// intranet). Idempotent: files whose bytes are unchanged are left alone, files no longer in
// the list are removed, so two runs in a row give the same directory.
//
//   cd frontend && npm ci && npm run build      (add -- --verbose to list the versions)
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const outDir = resolve(here, "..", "gonghui", "static", "vendor");

// [output name, package, file inside the package]
const assets = [
  // Loaded on every page (keep small: the portal's first page must stay under 100 KB).
  ["htmx.min.js", "htmx.org", "dist/htmx.min.js"],
  ["alpine-csp.min.js", "@alpinejs/csp", "dist/cdn.min.js"],
  // The class-based build with the red theme; our colours are set in gonghui/app.css.
  ["pico.red.min.css", "@picocss/pico", "css/pico.red.min.css"],
  // Loaded only by pages that draw charts (dashboards) and by browser tests.
  ["echarts.min.js", "echarts", "dist/echarts.min.js"],
  ["axe.min.js", "axe-core", "axe.min.js"],
];

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

mkdirSync(outDir, { recursive: true });
const versions = {};
let changed = 0;
for (const [outName, pkg, file] of assets) {
  const dir = packageDir(pkg);
  const src = join(dir, file);
  const data = readFileSync(src);
  const dest = join(outDir, outName);
  if (!existsSync(dest) || sha256(readFileSync(dest)) !== sha256(data)) {
    writeFileSync(dest, data);
    changed += 1;
  }
  versions[outName] = `${pkg}@${JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version}`;
}

const manifestName = "VERSIONS.json";
const manifest = `${JSON.stringify(versions, null, 2)}\n`;
const manifestPath = join(outDir, manifestName);
if (!existsSync(manifestPath) || readFileSync(manifestPath, "utf8") !== manifest) {
  writeFileSync(manifestPath, manifest);
  changed += 1;
}

const keep = new Set([...assets.map(([outName]) => outName), manifestName]);
for (const name of readdirSync(outDir)) {
  if (!keep.has(name)) {
    unlinkSync(join(outDir, name));
    changed += 1;
  }
}

if (process.argv.includes("--verbose")) {
  for (const [name, version] of Object.entries(versions)) {
    console.log(`${name.padEnd(20)} ${version}`);
  }
}
if (changed > 0) {
  console.log(`gonghui/static/vendor: ${changed} file(s) written or removed`);
}
