// The citizen's own data in a real browser (Debian chromium, playwright-core
// from tests/node), driven by tests/e2e/test_account_browser.py over
// stdin/stdout, one JSON object a line:
//   argv: PORTAL_URL ISSUER PERSONAL_ID PASSWORD SHOT_PREFIX
//   out {"need_code": true}   in: the SMS code (at each sign-in that asks)
//   out {"ok": true, ...facts...} or {"error": ...}
// It only gathers what the pages show; the Python side judges it.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../node/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [portal, issuer, pid, password, shot] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const out = { shots: [] };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext({ locale: 'vi-VN', viewport: { width: 390, height: 844 } });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  out.csp_errors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) out.csp_errors.push(m.text()); });
  const snap = async (name, opts = { fullPage: true }) => {
    const path = `${shot}-${name}.png`;
    await page.screenshot({ path, ...opts });
    out.shots.push(path);
    return path;
  };
  const submit = async (field) => Promise.all([page.waitForNavigation(),
    page.locator(`form:has(input[name="${field}"]) button[type="submit"], form:has(input[name="${field}"]) button:not([type])`).first().click()]);
  // From the portal's home to dinhdanh; signs in there if asked (the
  // password, then the SMS code from the Python side). Returns whether asked.
  // The first time through the home page's sign-in link; later (the portal
  // then shows the signed-in citizen) straight to that link's /login.
  const portalSignIn = async (again) => {
    if (again) {
      await page.goto(new URL('/login', portal).href);
      await page.waitForURL((u) => u.href.startsWith(issuer));
    } else {
      await page.goto(portal);
      await Promise.all([page.waitForURL((u) => u.href.startsWith(issuer)),
        page.locator('a[href*="login"]').first().click()]);
    }
    await page.waitForLoadState('load');
    if (await page.locator('input[name="personal_id"]').count() === 0)
      return false;
    await page.fill('input[name="personal_id"]', pid);
    await page.fill('input[name="password"]', password);
    await submit('password');
    await page.locator('input[name="code"]').waitFor();
    say({ need_code: true });
    const { value: code } = await lines.next();
    await page.fill('input[name="code"]', code.trim());
    await submit('code');
    await page.waitForLoadState('load');
    return true;
  };
  const decisions = async () => page.locator('button[name="decision"]')
    .evaluateAll((bs) => bs.map((b) => b.value));
  // What the account page shows, section by section.
  const account = async () => page.evaluate(() => {
    const rows = (id) => [...document.querySelectorAll(`table[aria-labelledby="${id}"] tbody tr`)]
      .map((tr) => [...tr.cells].map((td) => td.innerText.trim()));
    const h2 = {};
    for (const h of document.querySelectorAll('main h2[id]')) h2[h.id] = h.innerText.trim();
    return {
      url: location.href, lang: document.documentElement.lang, h2,
      consents: rows('consents'), disclosures: rows('disclosures'), history: rows('history'),
      notices: [...document.querySelectorAll('p.notice')].map((p) => p.innerText.trim()),
      revoke_buttons: document.querySelectorAll('form[action="/account/consents/revoke"] button').length,
      export_links: document.querySelectorAll('a[href^="/account/export"]').length,
    };
  });

  // 1. The first sign-in through the portal: asked to consent, then back.
  out.first_login_asked = await portalSignIn(false);
  out.first_decisions = await decisions();
  if (!out.first_decisions.includes('allow'))
    throw new Error(`no consent page at the first sign-in: ${page.url()}`);
  await snap('1-consent');
  await Promise.all([page.waitForURL((u) => !u.href.startsWith(issuer)),
    page.locator('button[name="decision"][value="allow"]').click()]);
  await page.waitForLoadState('load');
  out.portal_url = page.url();
  out.portal_text = await page.locator('body').innerText();

  // 2. The account page in Vietnamese.
  await page.goto(issuer + '/account');
  out.vi = await account();
  out.vi_shot = await snap('2-account-vi');
  // The README's picture (docs/your-data.png): one screen from "your data" on.
  await page.locator('h2#your-data').evaluate((h) => h.scrollIntoView());
  out.vi_data_shot = await snap('2-account-vi-data', { fullPage: false });

  // 3. English through the header's language link.
  await Promise.all([page.waitForNavigation(), page.locator('header a.lang').click()]);
  await page.waitForLoadState('load');
  out.en = await account();
  await snap('3-account-en');

  // 4. Withdraw the portal's consent with its own row's button.
  const row = page.locator('table[aria-labelledby="consents"] tbody tr', { hasText: process.env.PORTAL_NAME });
  if (await row.count() !== 1)
    throw new Error(`expected one consent row for ${process.env.PORTAL_NAME}, got ${await row.count()}`);
  await Promise.all([page.waitForNavigation(), row.locator('button').click()]);
  await page.waitForLoadState('load');
  out.withdrawn = await account();
  await snap('4-withdrawn-en');

  // 5. The portal again: the provider asks for consent once more.
  out.second_login_asked = await portalSignIn(true);
  out.second_url = page.url();
  out.second_decisions = await decisions();
  await snap('5-consent-again');
  say({ ok: true, ...out });
} catch (e) {
  say({ error: `${e.name}: ${e.message}`, ...out });
  process.exitCode = 1;
} finally {
  await browser.close();
}
