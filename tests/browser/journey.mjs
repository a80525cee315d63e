// Browser journey through the real stack: gated page → waiting page (position, English and Korean) → admission →
// back on the page first asked for, with the admission cookie. The waiting page must work under its Content-Security-Policy:
// any violation (a "Refused to …" console message or a securitypolicyviolation event) fails the journey. Run by
// YarpWaitingRoom.SystemTests; prints one JSON line.
// BASE_URL, ADMIN_KEY, CHROMIUM as in lib/browser.mjs, and:
//   ROOM         the room of GATED_PATH (default journey)
//   GATED_PATH   a gated page (default /journey/api/concerts)
//   ARTIFACTS    where the screenshots go
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fail, gotoWaitingPage, runCheck, setMode, stackFromEnvironment, watchEntry } from './lib/browser.mjs';

const stack = stackFromEnvironment({ room: 'journey', gatedPath: '/journey/api/concerts' });
const { base, room, gatedPath } = stack;
const artifacts = process.env.ARTIFACTS ?? 'artifacts';
mkdirSync(artifacts, { recursive: true });

async function connectedWithPosition(page) {
  await page.waitForFunction(() => {
    const s = window.__waitingRoom?.state();
    return s && s.connection === 'connected' && s.position >= 1;
  }, null, { timeout: 15000 });
  return page.evaluate(() => window.__waitingRoom.state());
}

const result = { steps: [] };
await runCheck(result, async (browser) => {
  // Everyone keeps their place, nobody is admitted: the visitor has to wait.
  await setMode(stack, 'Paused');
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 420, height: 880 } });
  // Violations are reported on the console by the browser and as events to the page; both end up here.
  const violations = [];
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const entry = watchEntry(page);
  page.on('console', (message) => {
    const text = message.text();
    if (/Refused to|securitypolicyviolation|Content Security Policy/i.test(text)) violations.push(text);
  });
  const noViolations = (step) => {
    if (violations.length > 0) fail(`CSP violations by ${step}: ${violations.join(' | ')}`);
  };

  const waiting = await gotoWaitingPage(page, base + gatedPath, 'the gated page', result);
  const csp = waiting?.headers()['content-security-policy'] ?? '';
  if (!csp.includes("script-src 'self'")) fail(`the waiting page came without its Content-Security-Policy: '${csp}'`);
  const english = await connectedWithPosition(page);
  const lang = await page.getAttribute('html', 'lang');
  if (lang !== 'en') fail(`the page is not in English (lang '${lang}' at ${page.url()}: a waiting page that left was admitted)`);
  const englishText = await page.textContent('#wr-position');
  if (!englishText.includes(String(english.position))) fail(`position ${english.position} not shown: ${englishText}`);
  await page.screenshot({ path: path.join(artifacts, 'waiting-en.png'), fullPage: true });
  noViolations('waiting-en');
  result.steps.push({ step: 'waiting-en', position: english.position, text: englishText.trim(), csp });

  await page.click('a[data-lang="ko"]');
  await page.waitForLoadState('domcontentloaded');
  const korean = await connectedWithPosition(page);
  if ((await page.getAttribute('html', 'lang')) !== 'ko') fail('the toggle did not switch to Korean');
  const koreanText = await page.textContent('#wr-position');
  if (!koreanText.includes('대기') || !koreanText.includes(String(korean.position))) fail(`Korean position text wrong: ${koreanText}`);
  await page.screenshot({ path: path.join(artifacts, 'waiting-ko.png'), fullPage: true });
  noViolations('waiting-ko');
  result.steps.push({ step: 'waiting-ko', position: korean.position, text: koreanText.trim() });

  // Admission resumes: the hub pushes the notice, the page follows the entry link, the proxy sets the cookie and
  // sends the visitor back to the page first asked for.
  await setMode(stack, 'On');
  await entry.landedOn(gatedPath, 30000);
  const cookies = await context.cookies(base);
  if (!cookies.some((c) => c.name === `wr_${room}` && c.value.length > 0)) fail(`no wr_${room} cookie after entering`);
  noViolations('landed');
  const landed = await page.textContent('body');
  result.steps.push({ step: 'landed', url: page.url(), bytes: landed.length });
}, () => setMode(stack, 'Auto'));
