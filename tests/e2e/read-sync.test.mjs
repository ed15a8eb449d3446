// SPDX-License-Identifier: MIT
// One person, two devices (two browser profiles): reading a group on one clears its unread
// count on the other. The other members see "Seen by" on their messages, live. And the
// client reports which group it shows in front (`focus` frames), and null when hidden.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, sendMessage } from './lib/browser.mjs';
import { PeerchatServer, eventually, list } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

const CAROL = { username: 'carol', display_name: 'Carol Baptiste', password: 'carol-password-1' };

let server;
let browser;
let tokens;
let coaches;
let books;

before(async () => {
  server = await new PeerchatServer('read-sync').init([ALICE, BOB, CAROL]);
  tokens = {
    alice: await server.token(ALICE.username, ALICE.password),
    bob: await server.token(BOB.username, BOB.password),
    carol: await server.token(CAROL.username, CAROL.password),
  };
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob, tokens.carol]);
  books = await groupWith(server, tokens.alice, { name: 'Book club' }, [tokens.bob]);
  await post(server, tokens.alice, coaches.id, 'Welcome, everyone');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('reading a group on one device clears its unread count on the other', { timeout: 120000 }, async () => {
  const laptop = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await login(laptop.page, server.url, BOB.username, BOB.password);
  await login(phone.page, server.url, BOB.username, BOB.password);
  for (const p of [laptop.page, phone.page]) await p.locator('.conn-online').waitFor({ state: 'attached' });
  const badge = (p, name) => p.locator('.group-item', { hasText: name }).locator('.badge');

  // Coaches' welcome is unread on both; Bob reads it on the laptop, the phone follows.
  await badge(phone.page, 'Coaches').filter({ hasText: '1' }).waitFor();
  await openGroup(laptop.page, 'Coaches');
  await badge(phone.page, 'Coaches').waitFor({ state: 'detached', timeout: 10000 });

  await post(server, tokens.alice, books.id, 'Chapter 5 is the best one');
  await post(server, tokens.alice, books.id, 'Agree?');
  for (const p of [laptop.page, phone.page]) await badge(p, 'Book club').filter({ hasText: '2' }).waitFor({ timeout: 10000 });
  await eventually(async () => /^\(2\) /.test(await phone.page.title()), { timeoutMs: 5000, what: 'the phone’s title to count 2' });

  // Bob reads Book club on his laptop; his phone's badge and title follow.
  await openGroup(laptop.page, 'Book club');
  await messageWith(laptop.page, 'Agree?').waitFor();
  await badge(phone.page, 'Book club').waitFor({ state: 'detached', timeout: 10000 });
  await eventually(async () => !/^\(/.test(await phone.page.title()), { timeoutMs: 5000, what: 'the phone’s title without a count' });
  const groups = list(await server.ok('GET', '/groups', { token: tokens.bob }), 'groups');
  assert.equal(groups.find((g) => g.id === books.id).unread, 0);
  assert.deepEqual(laptop.page.problems, []);
  assert.deepEqual(phone.page.problems, []);
  await laptop.context.close();
  await phone.context.close();
});

test('Seen by: the count under your message grows as members read it; a click lists them', { timeout: 120000 }, async () => {
  const alice = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await openGroup(alice.page, 'Coaches');
  await sendMessage(alice.page, 'Slides are in the shared folder');
  const mine = messageWith(alice.page, 'Slides are in the shared folder');
  await mine.waitFor();
  assert.equal(await mine.locator('.seen-by').count(), 0, 'nobody has read it yet');

  const bob = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(bob.page, server.url, BOB.username, BOB.password);
  await openGroup(bob.page, 'Coaches');
  await messageWith(bob.page, 'Slides are in the shared folder').waitFor();
  await mine.locator('.seen-by', { hasText: 'Seen by 1' }).waitFor({ timeout: 10000 });

  // Carol reads it through the API (another client): the count follows, live.
  const seq = (await server.ok('GET', `/groups/${coaches.id}`, { token: tokens.carol })).last_seq
    ?? list(await server.ok('GET', '/groups', { token: tokens.carol }), 'groups').find((g) => g.id === coaches.id).last_seq;
  await server.ok('POST', `/groups/${coaches.id}/read`, { token: tokens.carol, body: { seq } });
  await mine.locator('.seen-by', { hasText: 'Seen by everyone' }).waitFor({ timeout: 10000 });
  await expectAccessible(alice.page, 'conversation with Seen by, desktop');
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(alice.page, 'conversation with Seen by, dark theme');
  await alice.page.emulateMedia({ colorScheme: 'light' });

  await mine.locator('.seen-by').click();
  const dialog = alice.page.getByRole('dialog', { name: 'Seen by' });
  await dialog.waitFor();
  await expectAccessible(alice.page, 'Seen by list, desktop');
  const text = await dialog.innerText();
  assert.match(text, /Read it \(2\)[\s\S]*Bob Okafor[\s\S]*Carol Baptiste[\s\S]*Not yet \(0\)/);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // After a reload the counts come from the members' read markers.
  await alice.page.reload();
  await openGroup(alice.page, 'Coaches');
  await messageWith(alice.page, 'Slides are in the shared folder').locator('.seen-by', { hasText: 'Seen by everyone' }).waitFor();
  assert.deepEqual(alice.page.problems, []);
  await alice.context.close();
  await bob.context.close();
});

test('the client reports the group in front (focus), renews nothing when hidden, and says null', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    try { const j = JSON.parse(f.payload); if (j.type === 'focus') sent.push(j.group_id); } catch { /* not JSON */ }
  }));
  await login(page, server.url, BOB.username, BOB.password);
  await page.locator('.conn-online').waitFor({ state: 'attached' });
  await openGroup(page, 'Coaches');
  await eventually(() => sent.at(-1) === coaches.id, { timeoutMs: 10000, what: 'focus on Coaches' });
  await openGroup(page, 'Book club');
  await eventually(() => sent.at(-1) === books.id, { timeoutMs: 10000, what: 'focus on Book club' });
  // The page is hidden (the phone is locked, the tab is in the background).
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await eventually(() => sent.at(-1) === null, { timeoutMs: 10000, what: 'focus null when hidden' });
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await eventually(() => sent.at(-1) === books.id, { timeoutMs: 10000, what: 'focus back on Book club' });
  // The server took every frame: no error frame came back.
  assert.deepEqual(page.problems, []);
  await context.close();
});
