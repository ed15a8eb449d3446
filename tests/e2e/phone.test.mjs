// SPDX-License-Identifier: MIT
// A phone-sized screen (390×844): sign in, open a group, send, and go back to the list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, messageWith, newPage, screenshot } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

let server;
let browser;

before(async () => {
  server = await new PeerchatServer('phone').init([ALICE, BOB]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('a phone can sign in, open a group and send', { timeout: 120000 }, async () => {
  const alice = await server.token(ALICE.username, ALICE.password);
  const bob = await server.token(BOB.username, BOB.password);
  const group = await groupWith(server, alice, { name: 'Family', topic: 'Plans and photos' }, [bob]);
  await groupWith(server, alice, { name: 'Climbing crew' }, [bob]);
  await post(server, alice, group.id, 'Dinner on Sunday at 6?');
  await post(server, alice, group.id, 'I can bring dessert 🍰');

  const { page } = await newPage(browser, {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/login/);
  await page.locator('#login-username').waitFor();
  await expectAccessible(page, 'sign-in page, phone');
  await page.locator('#login-username').fill(BOB.username);
  await page.locator('#login-password').fill(BOB.password);
  await page.getByRole('button', { name: 'Sign in' }).tap();

  // The list alone first…
  const item = page.locator('.group-item', { hasText: 'Family' });
  await item.waitFor();
  assert.equal(await page.locator('.conversation').isVisible(), false);
  await expectAccessible(page, 'group list, phone');
  await item.tap();

  // …then the conversation alone, with a way back.
  await page.locator('#conv-title', { hasText: 'Family' }).waitFor();
  assert.equal(await page.locator('.sidebar').isVisible(), false);
  await page.getByRole('button', { name: 'Back to groups' }).waitFor();
  await messageWith(page, 'Dinner on Sunday').waitFor();

  // On a phone Enter starts a new line; the send button sends.
  const input = page.locator('#composer-input');
  await input.tap();
  await input.pressSequentially('Count me in! 🙌', { delay: 5 });
  await input.press('Enter');
  await input.pressSequentially('See you Sunday', { delay: 5 });
  assert.equal(await input.inputValue(), 'Count me in! 🙌\nSee you Sunday');
  assert.equal(await input.getAttribute('enterkeyhint'), 'enter');
  await page.getByRole('button', { name: 'Send message' }).tap();
  await messageWith(page, 'Count me in').waitFor();
  assert.equal(await input.inputValue(), '');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
  await screenshot(page, path.join(SCREENSHOTS, 'phone.png'));
  const mine = messageWith(page, 'Count me in');
  await mine.tap();
  await mine.getByRole('button', { name: 'Reply' }).tap();
  await page.locator('.reply-bar').waitFor();
  await expectAccessible(page, 'conversation, replying, phone');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page, 'conversation in the dark theme, phone');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'Group details and members' }).tap();
  await page.locator('#info-panel').getByRole('heading', { name: 'Group details' }).waitFor();
  await expectAccessible(page, 'group details panel, phone');
  await page.getByRole('button', { name: 'Close group details' }).tap();

  await page.getByRole('button', { name: 'Back to groups' }).tap();
  await page.locator('.group-item', { hasText: 'Family' }).locator('.group-preview', { hasText: 'You: Count me in' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');

  await page.locator('#search-input').fill('dessert');
  await page.locator('.search-result').first().waitFor();
  await expectAccessible(page, 'search results, phone');
  await page.locator('#search-input').fill('');

  await server.stop();
  await page.locator('.conn-offline').waitFor();
  await expectAccessible(page, 'group list offline, phone');
  assert.deepEqual(page.problems, []);
});
