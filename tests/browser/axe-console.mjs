// Accessibility of the operator console through the real stack: its pages pass axe-core at WCAG 2.2 AA (lib/axe.mjs), in
// Korean and English, at a desktop and a phone viewport, in light and dark colour schemes. The pages: the sign-in page
// (as it opens, with and without JavaScript; after a wrong key, its error at the field; after sign-out, its note), and
// the signed-in console, live (console.js connected and a tick of the room's view drawn), with the chart's table shown,
// then with a control's confirmation dialog open (cancelled, never applied). The console's session comes from one
// sign-in with ADMIN_KEY (the JSON sign-in), its cookie given to each browser, and ends with the check. Fails on any
// violation, printing each; prints one JSON line last, `complete` once every page was checked.
// BASE_URL, ADMIN_KEY, CHROMIUM as in lib/browser.mjs, and:
//   ROOM       the room the console shows (default console); nothing in it is changed
//   LANGUAGES  ko,en (default both)   DEVICES  desktop,phone (default both)
import { axeViolations, formatViolation, pageWithoutScript } from './lib/axe.mjs';
import { fail, runCheck, stackFromEnvironment } from './lib/browser.mjs';

const { base, adminKey, room } = stackFromEnvironment({ room: 'console', gatedPath: '/console/api/concerts' });
const locales = { ko: 'ko-KR', en: 'en-US' };
const devices = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
};
const pick = (name, all) => (process.env[name] ?? all.join(',')).split(',').map((v) => v.trim()).filter(Boolean)
  .map((v) => (all.includes(v) ? v : fail(`${name}: '${v}' is not one of ${all.join(', ')}`)));
const languages = pick('LANGUAGES', Object.keys(locales));
const deviceNames = pick('DEVICES', Object.keys(devices));
const schemes = ['light', 'dark'];
const consoleUrl = (lang, extra = '') => `${base}/_wr/admin/?lang=${lang}&room=${encodeURIComponent(room)}${extra}`;

const result = { checked: [], violations: [] };

/** Checks the page as it is now, in each colour scheme; it must be in `language` and be the console's `kind` page. */
async function check(name, page, { language, device, script, kind }) {
  const where = `${name} [${language}, ${device}, script ${script}]`;
  const lang = await page.getAttribute('html', 'lang');
  if (lang !== language) fail(`${where}: <html lang="${lang}">, expected ${language}`);
  const shown = await page.getAttribute('body', 'data-page');
  if (shown !== kind) fail(`${where}: the page is '${shown}', expected '${kind}'`);
  for (const colorScheme of schemes) {
    await page.emulateMedia({ colorScheme });
    const violations = await axeViolations(page);
    result.checked.push({ page: name, language, device, script, colorScheme, violations: violations.length });
    for (const violation of violations) {
      result.violations.push({ page: name, language, device, script, colorScheme, ...violation });
      console.log(formatViolation(`${where} ${colorScheme}`, violation));
    }
  }
}

/** One sign-in with the key (JSON): the session cookie's value and its CSRF token; a 429 is waited out. */
async function signIn() {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}/_wr/admin/sign-in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ key: adminKey }),
    });
    if (response.status === 429 && attempt < 4) {
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, Math.min(Number(response.headers.get('retry-after')) || 15, 60) * 1000));
      continue;
    }

    if (response.status !== 200) fail(`signing in with ADMIN_KEY: HTTP ${response.status} ${await response.text()}`);
    const { csrfToken } = await response.json();
    const value = response.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('wr_admin='))?.slice('wr_admin='.length);
    if (!value) fail('signed in, but no wr_admin cookie');
    return { value, csrfToken };
  }
}

let session = null;

await runCheck(result, async (browser) => {
  session = await signIn();
  const host = new URL(base).hostname;
  for (const language of languages) {
    for (const device of deviceNames) {
      // The sign-in page, with JavaScript (it has none of its own) and as a browser without it shows it.
      for (const script of ['on', 'off']) {
        const context = await browser.newContext({ locale: locales[language], ...devices[device] });
        const browserPage = script === 'on'
          ? { page: await context.newPage(), inspect: (action) => action() }
          : await pageWithoutScript(context);
        const { page } = browserPage;
        const response = await page.goto(consoleUrl(language));
        if (response?.status() !== 200) fail(`sign-in [${language}, ${device}]: HTTP ${response?.status()}`);
        await browserPage.inspect(() => check('sign-in', page, { language, device, script, kind: 'sign-in' }));
        if (script === 'off') {
          const note = await page.goto(consoleUrl(language, '&signed-out=1'));
          if (note?.status() !== 200) fail(`signed-out note [${language}, ${device}]: HTTP ${note?.status()}`);
          await browserPage.inspect(async () => {
            if (!(await page.$('#wr-sign-in-message[role="status"]'))) fail(`signed-out note [${language}, ${device}]: no note shown`);
            await check('sign-in, signed out', page, { language, device, script, kind: 'sign-in' });
          });
        }

        await context.close();
      }

      // The console, live.
      const context = await browser.newContext({ locale: locales[language], ...devices[device] });
      await context.addCookies([{ name: 'wr_admin', value: session.value, domain: host, path: '/_wr/admin', httpOnly: true, sameSite: 'Strict' }]);
      const page = await context.newPage();
      const response = await page.goto(consoleUrl(language));
      if (response?.status() !== 200) fail(`console [${language}, ${device}]: HTTP ${response?.status()}`);
      await page.waitForFunction(() => document.getElementById('wr-connection')?.dataset.state === 'live'
        && (document.getElementById('wr-mode')?.textContent ?? '–') !== '–', null, { timeout: 20000 })
        .catch(async () => fail(`console [${language}, ${device}]: not live (${await page.textContent('#wr-connection')})`));
      await page.click('.wr-chart-table summary');
      await check('console', page, { language, device, script: 'on', kind: 'console' });

      // A control's confirmation, open (then cancelled with Esc).
      await page.click('#wr-mode-form button[type="submit"]');
      await page.locator('#wr-confirm').waitFor({ state: 'visible', timeout: 5000 });
      await check('console, confirmation', page, { language, device, script: 'on', kind: 'console' });
      await page.keyboard.press('Escape');
      await page.locator('#wr-confirm').waitFor({ state: 'hidden', timeout: 5000 });
      await context.close();
    }

    // A wrong key: the sign-in page's error at the field (one attempt per language: sign-in is rate limited), checked
    // at both viewports.
    const context = await browser.newContext({ locale: locales[language], ...devices.desktop });
    const page = await context.newPage();
    await page.goto(consoleUrl(language));
    await page.fill('#wr-key', 'not-the-key');
    const [refused] = await Promise.all([page.waitForNavigation(), page.press('#wr-key', 'Enter')]);
    if (![401, 429].includes(refused?.status())) fail(`a wrong key [${language}]: HTTP ${refused?.status()}, expected 401 (or 429)`);
    if (!(await page.$('#wr-sign-in-message[role="alert"]'))) fail(`a wrong key [${language}]: no error shown`);
    for (const device of deviceNames) {
      await page.setViewportSize(devices[device].viewport);
      await check('sign-in, wrong key', page, { language, device, script: 'on', kind: 'sign-in' });
    }

    await context.close();
  }

  result.complete = true;
  if (result.violations.length > 0) {
    fail(`${result.violations.length} axe violation(s) on ${new Set(result.violations.map((v) => `${v.page} [${v.language}, ${v.device}, script ${v.script}] ${v.colorScheme}`)).size} page view(s); see the lines above`);
  }
}, async () => {
  if (session) {
    await fetch(`${base}/_wr/admin/sign-out`, {
      method: 'POST',
      headers: { cookie: `wr_admin=${session.value}`, 'X-WaitingRoom-Csrf': session.csrfToken },
    });
  }
});
