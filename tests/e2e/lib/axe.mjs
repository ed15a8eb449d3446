// SPDX-License-Identifier: MIT
// Accessibility check of the screen a page shows: injects axe-core (the npm package, pinned in
// package-lock.json) and fails the test with every violation of WCAG 2.0/2.1 A and AA and of
// axe's best practices. One call per screen and layout (a run costs ≈ 100–300 ms).
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const axe = createRequire(import.meta.url)('axe-core');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** The violations axe finds in `page` now (its result objects), without failing. */
export async function axeViolations(page) {
  // Through the DevTools protocol, so the app's strict CSP (script-src 'self') need not be relaxed.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axe.source);
  const result = await page.evaluate(async (tags) => {
    // Transitions and highlights jump to their end (endless ones like a spinner are left), so
    // colour contrast is measured on the colours people end up seeing, without waiting.
    for (const a of document.getAnimations()) {
      if (a.effect?.getComputedTiming().endTime !== Infinity) a.finish();
    }
    return window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  }, TAGS);
  return result.violations;
}

/** One line per failing element: rule id, impact, CSS target and axe's summary of the fix. */
export function describeViolations(violations) {
  const lines = [];
  for (const v of violations) {
    for (const node of v.nodes) {
      const summary = (node.failureSummary || v.help).replace(/\s+/g, ' ').trim();
      lines.push(`  ${v.id} (${v.impact}) at ${node.target.join(' ')}: ${summary} [${v.helpUrl}]`);
    }
  }
  return lines.join('\n');
}

/**
 * Fails with the list of violations on the current screen. `screen` names it in the message
 * ("chat: conversation, desktop"). No rule is switched off here: a rule that cannot be met
 * must be fixed in src/web/ or argued for in the test that calls this.
 */
export async function expectAccessible(page, screen) {
  const violations = await axeViolations(page);
  if (violations.length) {
    assert.fail(`axe-core: ${violations.length} rule(s) violated on "${screen}" (${page.url()}):\n${describeViolations(violations)}`);
  }
}
