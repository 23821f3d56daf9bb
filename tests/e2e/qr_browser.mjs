// A real browser (Debian chromium, driven by playwright-core from
// tests/node) through the demo portal's level-2 sign-in: the portal's
// "Sign in with level 2 (app)" link, the provider's login page with its QR
// code, the phone app's approval (run by tests/e2e/test_qr_browser.py), the
// page moving on by itself (its polling script) or, without JavaScript, the
// fallback button, consent, and the portal's claims. Over stdin/stdout, one
// JSON object a line:
//   argv: PORTAL_URL ISSUER LOCALE SHOT_PREFIX JS(on|off)
//   out {"qr": {...}}   in: "approved" once the app has approved the URI
//   out {"ok": true, "pages": [...], ...} or {"error": ...}
// Nothing is judged here but what needs the page itself; the test asserts.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(new URL('../node/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [portal, issuer, locale, shot, js] = process.argv.slice(2);
const scripts = js === 'on';
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const pages = [];
const requests = [];

const onIssuer = (u) => u.startsWith(issuer + '/');
const path = (u) => new URL(u).pathname;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext({ locale, javaScriptEnabled: scripts,
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const cspErrors = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  page.on('request', (q) => requests.push({ method: q.method(), url: q.url() }));
  const snap = async (name) => {
    pages.push({ name, url: page.url(), lang: await page.evaluate(() => document.documentElement.lang) });
    await page.screenshot({ path: `${shot}-${pages.length}-${name}.png`, fullPage: true });
  };

  // The portal's home: its level-2 link, by its words.
  await page.goto(portal);
  await snap('portal-home');
  const level2 = page.getByRole('link', { name: /level 2 \(app\)|mức 2 \(ứng dụng\)/i });
  const level2Href = await level2.getAttribute('href');
  await Promise.all([page.waitForURL((u) => onIssuer(u.href)), level2.click()]);

  // The provider's login page with the QR panel.
  const svg = page.locator('#qr-login .qr-code svg');
  await svg.waitFor({ state: 'visible', timeout: 10000 });
  const box = await svg.boundingBox();
  const appLink = page.locator('#qr-login p.app-link a');
  const loginUrl = page.url();
  const qr = {
    login_url: loginUrl,
    level2_href: level2Href,
    svg_box: box,
    svg_count: await svg.count(),
    app_href: await appLink.getAttribute('href'),
    app_link_visible: await appLink.isVisible(),
    form_tx: await page.locator('#qr-finish input[name="tx"]').inputValue(),
    password_form: await page.locator('input[name="password"]').count(),
  };
  await snap('qr-login');
  say({ qr });
  const { value: go } = await lines.next();
  if ((go || '').trim() !== 'approved') throw new Error(`told ${go}, not approved`);

  let clicked = false;
  if (scripts) {
    // No clicking: the polling script must see "approved" and post the form.
    await page.waitForURL((u) => u.href !== loginUrl, { timeout: 15000 });
  } else {
    // Without scripts nothing moves: the fallback button finishes.
    const done = page.locator('#qr-finish button');
    clicked = true;
    await Promise.all([page.waitForURL((u) => u.href !== loginUrl), done.click()]);
  }
  await page.waitForLoadState('load');
  const allow = page.locator('button[name="decision"][value="allow"]');
  if (onIssuer(page.url()) && await allow.count() > 0) {
    await snap('consent');
    await Promise.all([page.waitForURL((u) => !onIssuer(u.href)), allow.click()]);
    await page.waitForLoadState('load');
  }
  await snap('portal');
  say({ ok: true, pages, qr, clicked, csp_errors: cspErrors, final_url: page.url(),
    requests, text: await page.locator('body').innerText() });
} catch (e) {
  say({ error: `${e.name}: ${e.message}`, pages, requests });
  process.exitCode = 1;
} finally {
  await browser.close();
}
