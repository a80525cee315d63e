// The operator console in a real browser, through the real stack (the edge, both proxies, Redis): a fresh browser is
// shown the sign-in page and nothing of the console; a wrong key is refused (401, said on the page, no cookie); the
// operator signs in with the keyboard (the key typed, Enter); the console shows the room, and its request-rate figure
// goes from 0 to a positive number while this check sends traffic to a gated page; the mode is switched to Paused with
// the UI (a click, confirmed in the dialog) and every proxy, asked directly, applies it within 2.5 s; MaxActive is set
// with the keyboard (typed, Enter, confirmed with Tab and Enter) and every proxy shows it; the page's timeline shows both
// audit entries (operator "admin", actions mode and max-active); screenshots of the sign-in page and of the console in
// Korean and English, at a desktop (1280 px) and a phone (390 px) viewport, go to ARTIFACTS; sign-out with the UI brings
// the sign-in page back, the other open console is told its session ended (within its 15-s check), and the old cookie is refused (401) by the
// edge and by every proxy. The room's mode and MaxActive are put back afterwards. Run by YarpWaitingRoom.SystemTests;
// prints one JSON line last.
// BASE_URL, ADMIN_KEY, CHROMIUM as in lib/browser.mjs, and:
//   ROOM        a room of its own: its mode and MaxActive are changed (default console)
//   GATED_PATH  a page ROOM gates, where the traffic goes (default /console/api/concerts)
//   PROXY_URLS  every proxy's own address, comma-separated (each is asked for the room's view directly)
//   OPERATOR    the operator ADMIN_KEY names (default admin)
//   TRAFFIC     requests:seconds sent to GATED_PATH (default 300:10)
//   ARTIFACTS   where the screenshots go (default ../artifacts/console, i.e. tests/artifacts/console)
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, fail, runCheck, stackFromEnvironment } from './lib/browser.mjs';

const stack = stackFromEnvironment({ room: 'console', gatedPath: '/console/api/concerts' });
const { base, adminKey, room, gatedPath } = stack;
const proxies = (process.env.PROXY_URLS ?? '').split(',').map((url) => url.trim().replace(/\/$/, '')).filter(Boolean);
if (proxies.length === 0) fail('PROXY_URLS: no proxy given');
const operator = process.env.OPERATOR ?? 'admin';
const [trafficRequests, trafficSeconds] = (process.env.TRAFFIC ?? '300:10').split(':').map(Number);
const artifacts = resolve(process.env.ARTIFACTS ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts', 'console'));
mkdirSync(artifacts, { recursive: true });

const APPLIED_WITHIN_MS = 2500; // as lib/browser.mjs's setMode: a proxy applies a change by pub/sub, else at its 1-s poll
const NEW_MAX_ACTIVE = 1234;
const consoleUrl = (lang) => `${base}/_wr/admin/?lang=${lang}&room=${encodeURIComponent(room)}`;
const roomPath = `/_wr/admin/rooms/${encodeURIComponent(room)}`;
// The cookie's path is /_wr/admin: a context's cookies are asked for at a URL below it.
const adminUrl = `${base}/_wr/admin/`;
const devices = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
};
const locales = { ko: 'ko-KR', en: 'en-US' };

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** The room's view as one proxy has it, asked directly with the admin key. */
async function viewAt(proxy) {
  const response = await fetch(`${proxy}${roomPath}`, { headers: { 'X-WaitingRoom-Admin-Key': adminKey, Accept: 'application/json' } });
  if (!response.ok) fail(`${proxy}${roomPath}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Asks every proxy until each view holds (`holds(view)`). A proxy fails when an answer to a question asked more than
 * 2.5 s after `since` still shows the old value (on a saturated machine an answer itself can take seconds: a slow
 * answer to an earlier question is no failure). Returns, per proxy, when the question whose answer showed the change
 * was asked and when it was answered (ms since `since`).
 */
async function everyProxy(what, holds, since) {
  const deadline = since + APPLIED_WITHIN_MS;
  const applied = {};
  for (;;) {
    for (const proxy of proxies.filter((p) => !(p in applied))) {
      const asked = Date.now();
      const view = await viewAt(proxy);
      if (holds(view)) applied[proxy] = { askedMs: asked - since, answeredMs: Date.now() - since };
      else if (asked > deadline) fail(`${what}: ${proxy} has not applied it ${asked - since} ms after the change (its view: ${JSON.stringify(view)})`);
    }

    if (Object.keys(applied).length === proxies.length) return applied;
    await sleep(100);
  }
}

/** The first number in a figure as the page shows it ("초당 12.5", "3.5/s", "1,234"). */
function figure(shown) {
  const match = String(shown ?? '').match(/\d[\d,]*(\.\d+)?/);
  return match ? Number(match[0].replace(/,/g, '')) : NaN;
}

/** The texts the console page was rendered with (its data block). */
const textsOf = (page) => page.evaluate(() => JSON.parse(document.getElementById('wr-console-data').textContent).texts);

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (placeholder, key) => (key in values ? String(values[key]) : placeholder));

/** Waits until the console page is live and has drawn a tick of the room's view. */
async function live(page) {
  await page.waitForFunction(() => {
    const state = document.getElementById('wr-connection')?.dataset.state;
    const mode = document.getElementById('wr-mode')?.textContent;
    return state === 'live' && mode && mode !== '–';
  }, null, { timeout: 20000 });
}

/** Sends `count` requests to the gated path over `seconds`, a few at a time, as one admitted visitor. */
async function traffic(count, seconds) {
  // The first request admits the visitor (the room's queue is off); the rest carry its cookies, so the room gains one
  // active visitor, not hundreds.
  const first = await fetch(base + gatedPath, { headers: { accept: 'application/json' }, redirect: 'manual' });
  await first.arrayBuffer();
  const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const statuses = { [first.status]: 1 };
  const started = Date.now();
  const concurrency = 4;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = worker + 1; i < count; i += concurrency) {
      const at = started + (i * seconds * 1000) / count;
      if (at > Date.now()) await sleep(at - Date.now());
      try {
        const response = await fetch(base + gatedPath, { headers: { accept: 'application/json', cookie }, redirect: 'manual' });
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      } catch (error) {
        statuses.error = (statuses.error ?? 0) + 1;
      }
    }
  }));
  return { statuses, ms: Date.now() - started };
}

const result = { room, proxies, steps: [], screenshots: [] };
let before = null;

async function screenshot(page, name) {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
}

await runCheck(result, async (browser) => {
  before = await (await admin(stack, roomPath)).json();
  if (!before?.mode) fail(`the room's view through the edge: ${JSON.stringify(before)}`);
  result.steps.push({ step: 'before', mode: before.mode, maxActive: before.maxActive, maxActiveConfigured: before.maxActiveConfigured });

  // A fresh browser: the sign-in page, nothing of the console, and no stream without a session.
  const context = await browser.newContext({ locale: locales.ko, ...devices.desktop });
  const page = await context.newPage();
  const opened = await page.goto(consoleUrl('ko'));
  if (opened?.status() !== 200) fail(`the console without a session: HTTP ${opened?.status()}, expected the sign-in page (200)`);
  if ((await page.getAttribute('body', 'data-page')) !== 'sign-in') fail('a fresh browser is not shown the sign-in page');
  if (await page.$('#wr-console-data')) fail('the sign-in page holds the console data');
  if (await page.$('#wr-controls-heading, #wr-timeline')) fail('the sign-in page shows parts of the console');
  const stream = await context.request.get(`${base}${roomPath}/live`, { headers: { accept: 'text/event-stream' } });
  if (stream.status() !== 401) fail(`the live stream without a session: HTTP ${stream.status()}, expected 401`);
  const autofocused = await page.evaluate(() => document.activeElement?.id ?? null);
  await screenshot(page, 'sign-in-ko-desktop');
  result.steps.push({ step: 'fresh', status: opened.status(), liveWithoutSession: stream.status(), autofocused });

  // A wrong key: 401, the sign-in page says so at the field, no cookie.
  await page.fill('#wr-key', 'not-the-key');
  const [refused] = await Promise.all([page.waitForNavigation(), page.press('#wr-key', 'Enter')]);
  if (refused?.status() !== 401) fail(`a wrong key: HTTP ${refused?.status()}, expected 401`);
  const error = page.locator('#wr-sign-in-message[role="alert"]');
  if (!(await error.isVisible())) fail('a wrong key: no error shown on the sign-in page');
  if ((await page.getAttribute('#wr-key', 'aria-invalid')) !== 'true') fail('a wrong key: the key field is not marked invalid');
  if ((await context.cookies(adminUrl)).some((c) => c.name === 'wr_admin')) fail('a wrong key set the wr_admin cookie');
  await screenshot(page, 'sign-in-error-ko-desktop');
  result.steps.push({ step: 'wrong key', status: refused.status(), message: (await error.textContent()).trim() });

  // The right key, typed into the form, sent with Enter.
  await page.focus('#wr-key');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(adminKey);
  const [signedIn] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const redirect = await signedIn?.request().redirectedFrom()?.response();
  if (redirect?.status() !== 303) fail(`signing in: HTTP ${redirect?.status()}, expected 303 to the console`);
  if (signedIn?.status() !== 200) fail(`the console after sign-in: HTTP ${signedIn?.status()}`);
  if ((await page.getAttribute('body', 'data-page')) !== 'console') fail(`signed in, but the page is '${await page.getAttribute('body', 'data-page')}' at ${page.url()}`);
  const cookie = (await context.cookies(adminUrl)).find((c) => c.name === 'wr_admin');
  if (!cookie) fail('signed in, but no wr_admin cookie');
  if (!cookie.httpOnly || cookie.sameSite !== 'Strict' || cookie.path !== '/_wr/admin') {
    fail(`wr_admin: HttpOnly ${cookie.httpOnly}, SameSite ${cookie.sameSite}, Path ${cookie.path}`);
  }
  if (!(await page.textContent('#wr-operator')).includes(operator)) fail(`the console does not name the operator ${operator}`);
  if (!(await page.textContent('#wr-title')).includes(room)) fail(`the console does not show the room ${room}: ${await page.textContent('#wr-title')}`);
  const ko = await textsOf(page);
  await live(page);
  result.steps.push({ step: 'signed in', status: signedIn.status(), url: page.url(), cookie: { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path, secure: cookie.secure } });

  // The request rate: 0 while the room is quiet, then positive while the traffic runs.
  await page.waitForFunction(() => /^\D*0(\D*)$/.test(document.getElementById('wr-rate')?.textContent ?? ''), null, { timeout: 15000 })
    .catch(async () => fail(`the room is not quiet: the page shows the rate '${await page.textContent('#wr-rate')}'`));
  const quiet = (await page.textContent('#wr-rate')).trim();
  const sending = traffic(trafficRequests, trafficSeconds);
  let moved = null;
  const watching = (async () => {
    const deadline = Date.now() + (trafficSeconds + 10) * 1000;
    while (Date.now() < deadline) {
      const shown = await page.evaluate(() => ({
        rate: document.getElementById('wr-rate').textContent,
        average: document.getElementById('wr-rate-average').textContent,
        summary: document.getElementById('wr-chart-summary').textContent,
      }));
      if (figure(shown.rate) > 0) {
        moved = { ...shown, at: Date.now() };
        return;
      }

      await sleep(250);
    }
  })();
  const [sent] = await Promise.all([sending, watching]);
  if (!moved) fail(`the rate on the page did not move from ${quiet} while ${trafficRequests} requests went to ${gatedPath} (${JSON.stringify(sent)})`);
  const peakAverage = figure(await page.textContent('#wr-rate-average'));
  result.steps.push({ step: 'traffic', quiet, shown: moved.rate, average: moved.average, averageAfter: peakAverage, summary: moved.summary, sent });
  if (!((sent.statuses[200] ?? 0) > trafficRequests / 2)) fail(`the traffic was mostly refused: ${JSON.stringify(sent.statuses)}`);

  // The mode, with a click: Paused, confirmed in the dialog; every proxy applies it.
  await page.click('#wr-mode-form input[name="mode"][value="Paused"]');
  await page.click('#wr-mode-form button[type="submit"]');
  const dialog = page.locator('#wr-confirm');
  await dialog.waitFor({ state: 'visible', timeout: 5000 });
  const question = (await page.textContent('#wr-confirm-body')).trim();
  if (!question.includes(room) || !question.includes(ko.modePaused)) fail(`the confirmation asks '${question}'`);
  const [modeCall] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`${roomPath}/mode`) && r.request().method() === 'PUT'),
    page.click('#wr-confirm-yes'),
  ]);
  const pausedAt = Date.now();
  if (modeCall.status() !== 200) fail(`the mode call: HTTP ${modeCall.status()} ${await modeCall.text()}`);
  const pausedBy = await everyProxy('mode Paused', (view) => view.mode === 'Paused', pausedAt);
  await page.waitForFunction((name) => document.getElementById('wr-mode')?.textContent === name, ko.modePaused, { timeout: 5000 })
    .catch(async () => fail(`the page shows the mode '${await page.textContent('#wr-mode')}', not ${ko.modePaused}`));
  result.steps.push({ step: 'paused', appliedMs: pausedBy, shown: await page.textContent('#wr-mode') });

  // MaxActive, with the keyboard: typed, Enter, then Tab to Apply and Enter in the dialog.
  await page.focus('#wr-max-active');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(String(NEW_MAX_ACTIVE));
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'visible', timeout: 5000 });
  const focusedFirst = await page.evaluate(() => document.activeElement?.id);
  if (focusedFirst !== 'wr-confirm-no') fail(`the dialog opened with focus on '${focusedFirst}', not Cancel`);
  await page.keyboard.press('Tab');
  if ((await page.evaluate(() => document.activeElement?.id)) !== 'wr-confirm-yes') fail('Tab in the dialog does not reach Apply');
  const [capCall] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`${roomPath}/max-active`) && r.request().method() === 'PUT'),
    page.keyboard.press('Enter'),
  ]);
  const cappedAt = Date.now();
  if (capCall.status() !== 200) fail(`the max-active call: HTTP ${capCall.status()} ${await capCall.text()}`);
  const cappedBy = await everyProxy(`maxActive ${NEW_MAX_ACTIVE}`, (view) => view.maxActive === NEW_MAX_ACTIVE, cappedAt);
  const capShown = new Intl.NumberFormat('ko').format(NEW_MAX_ACTIVE);
  await page.waitForFunction((shown) => document.getElementById('wr-cap')?.textContent === shown, capShown, { timeout: 5000 })
    .catch(async () => fail(`the page shows the cap '${await page.textContent('#wr-cap')}', not ${capShown}`));
  if ((await page.evaluate(() => document.activeElement?.id)) !== 'wr-max-active') fail('focus did not go back to the cap field after the dialog');
  result.steps.push({ step: 'max-active', appliedMs: cappedBy, shown: await page.textContent('#wr-cap') });

  // The audit trail on the page: both changes, by the operator, in the timeline.
  const expected = [ko.actionMode, ko.actionMaxActive].map((action) => fill(ko.eventOperator, { operator, action }));
  await page.waitForFunction((lines) => {
    const entries = [...document.querySelectorAll('#wr-timeline li[data-kind="operator"]')].map((li) => li.textContent);
    return lines.every((line) => entries.some((entry) => entry.includes(line)));
  }, expected, { timeout: 10000 }).catch(async () => {
    fail(`the timeline lacks ${JSON.stringify(expected)}: ${JSON.stringify(await page.$$eval('#wr-timeline li', (items) => items.map((li) => li.textContent)))}`);
  });
  const audit = await page.$$eval('#wr-timeline li[data-kind="operator"]', (items) => items.map((li) => li.textContent));
  result.steps.push({ step: 'audit', entries: audit.slice(0, 6) });

  // Screenshots: the console in Korean, then English, at 1280 px; on a phone; the sign-in page in English on a phone.
  await screenshot(page, 'console-ko-desktop');
  await page.goto(consoleUrl('en'));
  await live(page);
  await screenshot(page, 'console-en-desktop');
  const phone = await browser.newContext({ locale: locales.ko, ...devices.phone });
  await phone.addCookies([cookie]);
  const phonePage = await phone.newPage();
  await phonePage.goto(consoleUrl('ko'));
  if ((await phonePage.getAttribute('body', 'data-page')) !== 'console') fail('the session cookie does not open the console in another browser');
  await live(phonePage);
  await screenshot(phonePage, 'console-ko-phone');
  const phoneScroll = await phonePage.evaluate(() => document.documentElement.scrollWidth);
  if (phoneScroll > 390) fail(`the console at 390 px is ${phoneScroll} px wide: it scrolls sideways`);
  const signInPhone = await browser.newContext({ locale: locales.en, ...devices.phone });
  const signInPage = await signInPhone.newPage();
  await signInPage.goto(consoleUrl('en'));
  await screenshot(signInPage, 'sign-in-en-phone');
  await signInPhone.close();

  // Sign-out with the UI: the sign-in page again, the other open console told, the old cookie refused everywhere.
  const [out] = await Promise.all([page.waitForNavigation(), page.click('form.wr-sign-out button[type="submit"]')]);
  if (out?.status() !== 200 || (await page.getAttribute('body', 'data-page')) !== 'sign-in') {
    fail(`after sign-out: HTTP ${out?.status()}, the page is '${await page.getAttribute('body', 'data-page')}' at ${page.url()}`);
  }
  if ((await context.cookies(adminUrl)).some((c) => c.name === 'wr_admin')) fail('sign-out left the wr_admin cookie');
  // The sign-out's notice ends the session's live views on every proxy at once; the bound is that of a lost notice, whose
  // views end at their session check (every 15 s, ConsoleFeed.SessionCheckInterval).
  const endedAfter = Date.now();
  await phonePage.locator('#wr-ended').waitFor({ state: 'visible', timeout: 25000 }).catch(async () => {
    const connection = await phonePage.evaluate(() => {
      const element = document.getElementById('wr-connection');
      return { state: element?.dataset.state, text: element?.textContent?.trim() };
    });
    fail(`the other open console was not told within 25 s that the session ended; its connection: ${JSON.stringify(connection)}`);
  });
  const endedMs = Date.now() - endedAfter;
  const old = `wr_admin=${cookie.value}`;
  const refusedOld = {};
  for (const target of [base, ...proxies]) {
    const response = await fetch(`${target}${roomPath}`, { headers: { cookie: old, accept: 'application/json' } });
    refusedOld[target] = response.status;
    if (response.status !== 401) fail(`the signed-out cookie at ${target}: HTTP ${response.status}, expected 401`);
  }
  result.steps.push({ step: 'signed out', url: page.url(), oldCookie: refusedOld, endedMs, ended: (await phonePage.textContent('#wr-ended-text')).trim() });
  await phone.close();
  await context.close();
}, async () => {
  await admin(stack, `${roomPath}/mode`, { method: 'PUT', body: JSON.stringify({ mode: before?.mode ?? 'Auto' }) });
  await admin(stack, `${roomPath}/max-active`, { method: 'PUT', body: JSON.stringify({ maxActive: null }) });
});
