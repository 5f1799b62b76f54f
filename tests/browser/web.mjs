// Browser tests of `mailtrove serve` in Debian's headless Chromium, driven
// by playwright-core.  Run by tests/cli/T095-browser.sh, which starts the
// server; prints one "ok - " / "not ok - " line per check.
//   node web.mjs BASE_URL EXPECT.json SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const [base, expectPath, shots] = process.argv.slice(2);
const expect = JSON.parse(readFileSync(expectPath, 'utf8'));
const origin = new URL(base).origin;
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'not ok'} - browser: ${what}`);
  if (!ok) failures++;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const context = await browser.newContext({ acceptDownloads: true });
const page = await context.newPage();
const dialogs = [];
const foreign = [];
const cspViolations = [];
page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
page.on('request', (r) => { if (!r.url().startsWith(origin)) foreign.push(r.url()); });
page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) cspViolations.push(m.text()); });

try {
  // search from the home page
  await page.goto(base);
  check(await page.locator('h1').innerText() === 'Search the archive', 'home page loads');
  await page.screenshot({ path: `${shots}/home.png`, fullPage: true });
  await page.fill('header input[name=q]', 'elysee');
  await page.press('header input[name=q]', 'Enter');
  await page.waitForLoadState();
  check((await page.locator('h1').innerText()).startsWith('1 email'), 'search by keyword (accents folded)');
  check(await page.locator('.result mark').first().innerText() === 'Élysée', 'the match is highlighted');
  await page.screenshot({ path: `${shots}/search.png`, fullPage: true });

  // open an email
  await page.click('.result h2 a');
  await page.waitForLoadState();
  check((await page.locator('h1').innerText()).includes('Réunion'), 'open an email from the results');
  check(await page.locator('dl.headers').innerText().then((t) => t.includes('Jean Dupont')), 'headers shown');
  check(await page.locator('section.panel h2').first().innerText() === 'Verification', 'verification panel shown');
  await page.screenshot({ path: `${shots}/email.png`, fullPage: true });
  check(await page.locator('dl.headers').innerText().then((t) => /\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}, the sender's clock\)/.test(t)),
        "the date is also shown on the sender's clock");


  // raw download: the exact bytes
  const [raw] = await Promise.all([page.waitForEvent('download'), page.click('text=raw source')]);
  const rawBytes = readFileSync(await raw.path());
  check(rawBytes.equals(readFileSync(expect.raw_file)), 'raw source downloads byte for byte');

  // attachment download
  await page.goto(`${base}email/${expect.attachment_email}`);
  const [att] = await Promise.all([page.waitForEvent('download'),
                                   page.click('section.panel ul li a >> nth=0')]);
  check(att.suggestedFilename() === expect.attachment_name, `attachment downloads as ${expect.attachment_name}`);

  // paging
  await page.goto(`${base}search?q=paging&sort=date`);
  check((await page.locator('h1').innerText()).startsWith('45 emails'), 'paging: total');
  check(await page.locator('.result').count() === 20, 'paging: 20 on the first page');
  await page.click('a[rel=next]');
  await page.waitForLoadState();
  check((await page.locator('nav.pages span').innerText()) === 'Page 2 of 3', 'paging: next page');
  await page.click('a[rel=next]');
  check(await page.locator('.result').count() === 5, 'paging: 5 on the last page');

  // bad query page
  const response = await page.goto(`${base}search?q=%28oops`);
  check(response.status() === 400, 'a bad query is a 400 page');
  check(await page.locator('.error').innerText().then((t) => t.includes('at character 1')), 'it says where');

  // a failed email says which kind of failure; l= marks the unsigned end
  if (expect.altered) {
    await page.goto(`${base}email/${expect.altered}`);
    check(await page.locator('h1 .badge').innerText() === 'DKIM failed: altered since signed',
          'an altered email: "altered since signed"');
    await page.goto(`${base}email/${expect.unchecked}`);
    check(await page.locator('h1 .badge').innerText() === 'DKIM failed: could not be checked',
          'a malformed signature: "could not be checked", not tampering');
    await page.goto(`${base}email/${expect.partial}`);
    check(await page.locator('section.unsigned mark').innerText() === 'P.S. appended after signing',
          'l=: the unsigned end of the body is marked');
  } else {
    console.log('skip - browser: python3-dkim missing, no signed mail for the failed badges');
  }
  // stats renders SVG
  await page.goto(`${base}stats`);
  check(await page.locator('svg').count() >= 3, 'stats page has its SVG charts');
  check(await page.locator('svg rect').count() > 3, 'the charts have bars');
  // the year labels of the timeline never overlap, at any span (issue 25)
  const years = await page.locator('svg').first().locator('text').evaluateAll((nodes) =>
    nodes.filter((n) => /^\d{4}$/.test(n.textContent)).map((n) => {
      const r = n.getBoundingClientRect();
      return [r.left, r.right];
    }));
  const overlapping = years.filter((r, i) => i > 0 && r[0] < years[i - 1][1] + 2).length;
  check(years.length >= 4 && overlapping === 0,
        `the timeline's ${years.length} year labels do not overlap (${overlapping} do)`);
  // every sender, signing domain and verdict bar links to its search
  const unlinked = await page.locator('svg').nth(1).locator('text').evaluateAll((nodes) =>
    nodes.filter((n) => !/^\d+$/.test(n.textContent) && !n.closest('a')).length);
  check(unlinked === 0, `every sender name is a link (${unlinked} are not)`);
  await page.locator('svg').nth(1).locator('a').first().click();
  await page.waitForURL(/\/search\?q=from%3A/);
  check((await page.locator('.result').count()) > 0, 'a sender\'s link opens their emails');
  await page.goto(`${base}stats`);
  await page.screenshot({ path: `${shots}/stats.png`, fullPage: true });

  // hostile mail: nothing runs, nothing loads from elsewhere
  for (const id of expect.hostile) {
    await page.goto(`${base}email/${id}`);
    await page.waitForTimeout(300);
  }
  // the sanitized HTML view, reached by its link
  await page.goto(`${base}email/${expect.related}`);
  await page.click('text=See the HTML version');
  await page.waitForLoadState('load');
  check(page.url().endsWith(`/email/${expect.related}/html`), 'the HTML version opens from its link');
  const view = await page.evaluate(() => ({
    scripts: document.scripts.length,
    inline: [...document.images].filter((i) => i.src.includes('/cid/logo')).map((i) => i.naturalWidth),
    loaded: [...document.images].filter((i) => i.naturalWidth > 0).length,
    sources: [...document.images].map((i) => new URL(i.src).pathname),
    styled: getComputedStyle(document.body).maxWidth,
    links: [...document.links].map((a) => a.getAttribute('href')),
    text: document.body.innerText,
  }));
  check(view.scripts === 0, 'the HTML view has no script element');
  check(view.inline.length === 1 && view.inline[0] === 1, `its inline cid: image is served from the archive (${JSON.stringify(view.inline)})`);
  check(view.loaded === 1 && view.sources.every((p) => p.startsWith(`/email/${expect.related}/cid/`)),
        `no other image loads: remote ones removed, the SVG part refused (${JSON.stringify(view.sources)})`);
  check(view.styled === '832px', `its own style block applies, by hash (${view.styled})`);
  check(JSON.stringify(view.links) === JSON.stringify(['/email/' + expect.related, 'https://example.org/']),
        `only the archive link and the https link keep an href (${JSON.stringify(view.links)})`);
  check(/image not loaded: pixel/.test(view.text), 'a removed remote image is named as removed');
  await page.screenshot({ path: `${shots}/html-view.png`, fullPage: true });
  await page.goto(`${base}search?q=figures`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${shots}/hostile-search.png`, fullPage: true });
  check(dialogs.length === 0, `no script ran (alerts: ${JSON.stringify(dialogs)})`);
  check(foreign.length === 0, `no request left the archive's origin (${JSON.stringify(foreign)})`);
  const scripts = await page.evaluate(() => document.scripts.length);
  check(scripts === 0, 'pages contain no script element');
  check(cspViolations.length === 0, `nothing even tried what CSP forbids (${cspViolations.length})`);

  // keyboard: the search box is reachable and labelled
  await page.goto(base);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('aria-label'));
  check(focused === 'Search the archive', 'keyboard reaches the labelled search box');
} catch (e) {
  check(false, `browser run failed: ${e.message.split('\n')[0]}`);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
