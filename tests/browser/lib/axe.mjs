// axe-core in a page: the script from node_modules (pinned in package-lock.json, never a CDN), run at WCAG 2.2 AA, and
// its violations in a form a report can print. Any browser check can use it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags). */
export const wcag22aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe on the page's document as it is now and returns its violations: `{ id, impact, help, helpUrl, targets }`,
 * one per rule, `targets` the selectors of the failing elements. axe is injected once per document.
 */
export async function axeViolations(page, tags = wcag22aa) {
  if (!(await page.evaluate(() => typeof window.axe?.run === 'function'))) {
    await page.evaluate(axeSource);
  }

  const results = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] }),
    tags,
  );
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.map((node) => node.target.join(' ')),
  }));
}

/** One line per violation: `<where>: <id> (<impact>) <help> [<targets>] <helpUrl>`. */
export function formatViolation(where, violation) {
  return `${where}: ${violation.id} (${violation.impact}) ${violation.help} [${violation.targets.join(', ')}] ${violation.helpUrl}`;
}

/**
 * A page that browses as a browser without JavaScript does: every document is parsed with script off (`<noscript>`
 * content is live, the page's own scripts never run), and a refresh the document asks for happens as it would.
 * `inspect(action)` runs `action` with script let run again (axe needs it: with JavaScript disabled its timers never
 * fire) and the document held still (a navigation it starts meanwhile is stopped), then turns script off again.
 */
export async function pageWithoutScript(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
  let held = false;
  await page.route('**/*', (route) => {
    const request = route.request();
    return held && request.isNavigationRequest() && request.frame() === page.mainFrame()
      ? route.abort('aborted')
      : route.fallback();
  });

  return {
    page,
    // The document shown may refresh itself at any moment; a navigation that collides with it is interrupted by it
    // (both load the page anew), so it is simply made again.
    async goto(url) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await page.goto(url);
        } catch (error) {
          if (attempt >= 3 || !/interrupted by another navigation/.test(String(error?.message))) throw error;
        }
      }
    },
    async inspect(action) {
      held = true;
      await page.waitForLoadState('load');
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
      try {
        return await action();
      } finally {
        await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
        held = false;
      }
    },
  };
}
