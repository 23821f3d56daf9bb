// A real browser (Debian chromium, driven by playwright-core from
// tests/node) through a relying party's sign-in at dinhdanh. Driven by
// tests/e2e/test_browser.py over stdin/stdout, one JSON object a line:
//   argv: START_URL ISSUER PERSONAL_ID PASSWORD LOCALE SHOT_PREFIX
//   out {"need_code": true}   in: the SMS code
//   out {"ok": true, "pages": [...], "final_url": ..., "text": ...} or {"error": ...}
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../node/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [start, issuer, pid, password, locale, shot] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const pages = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  const cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  const snap = async (name) => {
    pages.push({ name, url: page.url(), lang: await page.evaluate(() => document.documentElement.lang) });
    await page.screenshot({ path: `${shot}-${pages.length}-${name}.png`, fullPage: true });
  };
  await page.goto(start);
  if (!page.url().startsWith(issuer)) {         // the portal's home: its sign-in link
    await snap('portal-home');
    await Promise.all([page.waitForURL((u) => u.href.startsWith(issuer)),
      page.locator(`a[href*="login"], a[href*="authorize"], form button`).first().click()]);
  }
  await page.locator('input[name="personal_id"]').waitFor();
  await snap('login');
  await page.fill('input[name="personal_id"]', pid);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(),
    page.locator('form:has(input[name="password"]) button[type="submit"], form:has(input[name="password"]) button:not([type])').first().click()]);
  await page.locator('input[name="code"]').waitFor();
  await snap('code');
  say({ need_code: true });
  const { value: code } = await lines.next();
  await page.fill('input[name="code"]', code.trim());
  await Promise.all([page.waitForNavigation(),
    page.locator('form:has(input[name="code"]) button[type="submit"], form:has(input[name="code"]) button:not([type])').first().click()]);
  await page.waitForLoadState('load');
  const allow = page.locator('button[name="decision"][value="allow"]');
  if (page.url().startsWith(issuer) && await allow.count() > 0) {
    await snap('consent');
    await Promise.all([page.waitForNavigation(), allow.click()]);
    await page.waitForLoadState('load');
  }
  await snap('portal');
  say({ ok: true, pages, csp_errors: cspErrors, final_url: page.url(),
    text: await page.locator('body').innerText() });
} catch (e) {
  say({ error: `${e.name}: ${e.message}`, pages });
  process.exitCode = 1;
} finally {
  await browser.close();
}
