#!/usr/bin/env node
// npm run build: compiles src/, jobs/ and emails/ to dist/ with tsc (relative imports rewritten from .ts
// to .js), copies the files the code reads beside itself (migrations, templates, page assets), and
// stamps the build. bin/tagcast.js runs dist/ only while no source file is newer than the stamp.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCES } from './freshness.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
// --out DIR builds elsewhere (the tests do, inside the project so packages resolve); bin/tagcast.js runs dist/ only.
const out = process.argv.indexOf('--out');
if (out > 0 && !process.argv[out + 1]) {
  process.stderr.write('build: --out needs a folder, e.g. --out test-artifacts/dist\n');
  process.exit(2);
}
const dist = out > 0 ? path.resolve(process.argv[out + 1]) : path.join(root, 'dist');
// `npm ci` builds through the prepare script; an install without devDependencies (`--omit=dev`) has no
// TypeScript, and tagcast then runs its sources through tsx.
if (process.argv.includes('--if-possible') && !existsSync(path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'))) {
  process.stdout.write('tagcast: dist/ not built (TypeScript is not installed): tagcast runs its sources through tsx\n');
  process.exit(0);
}
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
let copied = 0;
for (const top of SOURCES) {
  for (const rel of readdirSync(path.join(root, top), { recursive: true, withFileTypes: true })) {
    if (!rel.isFile() || /\.tsx?$/.test(rel.name)) continue;
    const from = path.join(rel.parentPath ?? rel.path, rel.name);
    const to = path.join(dist, path.relative(root, from));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to);
    copied++;
  }
}
// The modules that render with React Email are bundled with the part of it they use. Its package
// entry loads every component it has (code highlighting, Markdown, Tailwind): ~35 MB in every process
// that renders, where the digest's components need ~2 MB. Everything else stays an import.
const { build } = await import('esbuild');
const BUNDLED = /^(react-email|@react-email\/|html-to-text|html5parser|entities|prismjs|marked)/;
await build({
  entryPoints: ['src/render/react-engine.js', 'src/subscriptions/notice-html.js'].map((f) => path.join(dist, f)),
  outdir: dist,
  outbase: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  allowOverwrite: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  plugins: [
    {
      name: 'only-react-email',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
writeFileSync(path.join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stdout.write(`built ${path.relative(root, dist) || dist}/ (${copied} files copied beside the compiled code)\n`);
