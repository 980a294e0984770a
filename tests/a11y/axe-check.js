#!/usr/bin/env node
// Runs axe-core inside Debian's chromium on brevgen's HTML letters and prints one JSON
// report on stdout. Used by tests/render/test_html.py; run by hand the same way:
//
//   node tests/a11y/axe-check.js [--widths 1024,320] [--screenshots DIR] [--print DIR] page.html ...
//
// --print DIR also prints each page to DIR/<name>.pdf the way a browser's print does
// (print stylesheet, CSS page size), to check the print layout.
//
// One browser serves every page (chromium is slow to start). The letters themselves
// contain no JavaScript: axe is added to the loaded page by the test only.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const AXE_SOURCE = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function parseArgs(argv) {
  const args = { widths: [1024], screenshots: null, print: null, files: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--widths') args.widths = argv[++i].split(',').map(Number);
    else if (argv[i] === '--screenshots') args.screenshots = argv[++i];
    else if (argv[i] === '--print') args.print = argv[++i];
    else args.files.push(argv[i]);
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // A fresh, empty profile per run, and every network-using background feature off.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'brevgen-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const results = [];
  try {
    const page = await browser.newPage();
    for (const width of args.widths) {
      await page.setViewport({ width, height: 800 });
      for (const file of args.files) {
        await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
        const scriptsInLetter = await page.evaluate(() => document.scripts.length);
        const layout = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        if (args.screenshots) {
          const name = path.basename(file).replace(/\.html?$/, '') + `-${width}px.png`;
          await page.screenshot({ path: path.join(args.screenshots, name), fullPage: true });
        }
        if (args.print && width === args.widths[0]) {
          const name = path.basename(file).replace(/\.html?$/, '') + '.pdf';
          await page.pdf({ path: path.join(args.print, name), preferCSSPageSize: true, printBackground: true });
        }
        await page.addScriptTag({ path: AXE_SOURCE });
        const axe = await page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ['violations'] });
          return {
            version: r.testEngine.version,
            violations: r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help, tags: v.tags,
              nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
            })),
            passes: r.passes.length,
          };
        });
        results.push({ file, width, scriptsInLetter, ...layout, ...axe });
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(results, null, 1) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(2);
});
