// The static site (`export --format site DIR`) in Debian's headless
// Chromium: every page opens from disk, every request a page makes stays
// inside DIR and finds its file, every link on it points into DIR to a
// file that exists (or is the search URL the export was given).  Run by
// tests/cli/T098-static-site.sh; one "ok - " / "not ok - " line per check.
//   node site.mjs DIR [SEARCH_URL]
import { chromium } from 'playwright-core';
import { readdirSync, statSync, existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const [dirArg, searchUrl] = process.argv.slice(2);
const dir = realpathSync(dirArg);
const top = pathToFileURL(dir).href + '/';
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'not ok'} - site: ${what}`);
  if (!ok) failures++;
};
const pages = [];
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.html')) pages.push(p);
  }
};
walk(dir);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
});
const page = await browser.newPage();
const outside = [], failed = [], badLinks = [];
page.on('request', (r) => { if (!r.url().startsWith(top)) outside.push(r.url()); });
page.on('requestfailed', (r) => failed.push(r.url()));
let opened = 0, links = 0, styled = 0;
try {
  for (const p of pages) {
    const response = await page.goto(pathToFileURL(p).href);
    if (response && response.ok()) opened++;
    // the stylesheet applied: the header is laid out as the CSS says
    const display = await page.evaluate(() => getComputedStyle(document.querySelector('header')).display);
    if (display === 'flex') styled++;
    // (an SVG link's href is not a string: each attribute resolved here)
    for (const href of await page.$$eval('[href], img[src], form[action]',
      (els) => els.map((e) => new URL(e.getAttribute('href') ?? e.getAttribute('src')
                                      ?? e.getAttribute('action'), document.baseURI).href))) {
      links++;
      if (searchUrl && href.startsWith(searchUrl)) continue;
      const bare = href.split('#')[0];
      if (href.endsWith('#') || bare === page.url().split('#')[0]) continue;
      if (!bare.startsWith(top) || !existsSync(fileURLToPath(bare))) badLinks.push(`${p}: ${href}`);
    }
  }
} catch (e) {
  check(false, `the run: ${e.message}`);
}
await browser.close();
check(opened === pages.length && pages.length > 0, `every page opens from disk (${opened} of ${pages.length})`);
check(styled === pages.length, `every page has its stylesheet (${styled})`);
check(outside.length === 0, `no request leaves DIR (${outside.slice(0, 3).join(' ')})`);
check(failed.length === 0, `every request finds its file (${failed.slice(0, 3).join(' ')})`);
check(badLinks.length === 0 && links > 0, `every link resolves inside DIR (${links} links; ${badLinks.slice(0, 3).join(' ')})`);
process.exit(failures ? 1 : 0);
