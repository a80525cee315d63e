// Open-redirect check through the real stack: a return URL that a browser would resolve off the site (a TAB that the
// browser drops, making '/\t/evil.example' the scheme-relative '//evil.example') must leave the visitor on the site, both
// on the waiting page's "join again" link and on the entry link's redirect. Prints one JSON line; exit 0 when it holds.
// BASE_URL, CHROMIUM as in lib/browser.mjs, and:
//   ADMIN_KEY    the stack's admin key (the entry check forces the room's mode to On, then back to Auto; none: skipped)
//   ROOM         the room of GATED_PATH (default concert)
//   GATED_PATH   a gated path (default /api/concerts)
//   RETURN       the hostile return URL, raw (default '/\t/evil.example')
import { fail, runCheck, setMode, stackFromEnvironment } from './lib/browser.mjs';

const stack = stackFromEnvironment({ room: 'concert', gatedPath: '/api/concerts' });
const { base, adminKey, room, gatedPath } = stack;
const hostile = process.env.RETURN ?? '/\t/evil.example';
const origin = new URL(base).origin;

// Every request the page makes to another origin is recorded and never sent.
async function guard(context, offSite) {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== origin) {
      offSite.push(url);
      return route.abort();
    }
    return route.continue();
  });
}

const result = { hostile, steps: [], offSite: [] };
let modeChanged = false;
await runCheck(result, async (browser) => {
  // 1. The waiting page's "join again" link (a ticket that is not valid shows it at once).
  {
    const context = await browser.newContext({ locale: 'en-US' });
    await guard(context, result.offSite);
    const page = await context.newPage();
    await page.goto(`${base}/_wr/wait/${room}?t=forged&return=${encodeURIComponent(hostile)}`);
    const href = await page.getAttribute('#wr-rejoin', 'href');
    await Promise.all([page.waitForLoadState('load'), page.click('#wr-rejoin')]);
    await page.waitForTimeout(500);
    const landed = page.url();
    result.steps.push({ step: 'join-again', href, landed });
    if (new URL(landed).origin !== origin) fail(`"join again" left the site for ${landed}`);
    await context.close();
  }

  // 2. The entry link's redirect: queue (the room forced On), wait for the admission, open the entry link with the
  //    hostile return. The visitor's own cookies, so the entry code is theirs.
  if (adminKey) {
    await setMode(stack, 'On');
    modeChanged = true;
    const context = await browser.newContext({ locale: 'en-US' });
    await guard(context, result.offSite);
    const queued = await context.request.get(base + gatedPath, { headers: { accept: 'application/json' }, maxRedirects: 0 });
    if (queued.status() !== 503) fail(`expected 503 from the gated path with the queue on, got ${queued.status()}`);
    const { ticket } = await queued.json();
    let enterUrl = null;
    const deadline = Date.now() + 60000;
    while (!enterUrl && Date.now() < deadline) {
      const status = await context.request.get(`${base}/_wr/rooms/${room}/tickets/${encodeURIComponent(ticket)}`);
      enterUrl = status.ok() ? (await status.json()).enterUrl ?? null : null;
      if (!enterUrl) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!enterUrl) fail('not admitted within 60 s');

    const page = await context.newPage();
    let location = null;
    page.on('response', (response) => {
      if (response.url().includes('/_wr/enter/')) location = response.headers().location ?? null;
    });
    await page.goto(`${base}${enterUrl}&return=${encodeURIComponent(hostile)}`);
    await page.waitForTimeout(500);
    const landed = page.url();
    result.steps.push({ step: 'enter', location, landed });
    if (new URL(landed).origin !== origin) fail(`the entry link left the site for ${landed}`);
    await context.close();
  }

  if (result.offSite.length > 0) fail(`requests off the site: ${result.offSite.join(', ')}`);
}, async () => {
  if (modeChanged) await setMode(stack, 'Auto');
});
