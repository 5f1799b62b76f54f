// Screenshots of the main pages for docs/: node screenshots.mjs BASE_URL OUT_DIR EMAIL_ID QUERY
import { chromium } from 'playwright-core';
const [base, out, email, query] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                        args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
for (const [name, path] of [['home', ''], ['search', `search?q=${encodeURIComponent(query)}`],
                            ['email', `email/${email}`], ['stats', 'stats']]) {
  await page.goto(base + path);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: name !== 'stats' ? false : true });
}
await browser.close();
