// SPDX-License-Identifier: MIT
// A message written while the server is down waits as "pending", survives a reload (the
// service worker serves the app shell offline), and is delivered exactly once when the
// server is back on the same port and data dir.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, sendMessage } from './lib/browser.mjs';
import { PeerchatServer } from './lib/server.mjs';
import { ALICE, BOB, groupWith, messagesOf, post } from './lib/fixtures.mjs';

let server;
let browser;

before(async () => {
  server = await new PeerchatServer('offline').init([ALICE, BOB]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('a message written offline is sent exactly once when the server is back', { timeout: 120000 }, async () => {
  const token = await server.token(ALICE.username, ALICE.password);
  const group = await groupWith(server, token, { name: 'Night shift' });
  await post(server, token, group.id, 'Before the outage');

  const { page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(page, server.url, ALICE.username, ALICE.password);
  await openGroup(page, 'Night shift');
  await page.locator('.conn-online').waitFor({ state: 'attached' });
  // The service worker has cached the app shell and controls the page.
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined);

  await server.stop();
  await page.locator('.conn-offline').waitFor();

  const text = 'Written while the server was down';
  await sendMessage(page, text);
  const pending = page.locator('.pending-list .msg.pending', { hasText: text });
  await pending.waitFor();
  await pending.locator('.pending-status', { hasText: 'Pending' }).waitFor();
  await expectAccessible(page, 'offline, with a pending message, desktop');

  // Still pending after a reload with the server unreachable.
  await page.reload();
  await page.locator('.pending-list .msg.pending', { hasText: text }).waitFor();
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('peerchat.outbox.')).map((k) => localStorage.getItem(k)).join(''));
  assert.match(stored, /Written while the server was down/);

  await server.start();
  await messageWith(page, text).waitFor({ timeout: 45000 });
  await page.locator('.pending-list .msg').waitFor({ state: 'detached' });
  await page.locator('.conn-online').waitFor({ state: 'attached' });

  const copies = (await messagesOf(server, token, group.id)).filter((m) => m.body === text);
  assert.equal(copies.length, 1, 'exactly one copy is stored');
  const outbox = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('peerchat.outbox.')).length);
  assert.equal(outbox, 0, 'the outbox is empty');
  assert.deepEqual(page.problems, []);
});
