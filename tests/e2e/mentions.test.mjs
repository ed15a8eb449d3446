// SPDX-License-Identifier: MIT
// @mentions: autocomplete in the composer with the keyboard (and a tap on a phone), the
// mention highlighted for the person named, and the Mentions view that opens the message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup } from './lib/browser.mjs';
import { PeerchatServer } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

const CAROL = { username: 'carol', display_name: 'Carol Baptiste', password: 'carol-password-1' };

let server;
let browser;
let tokens;
let alice;
let bob;

before(async () => {
  server = await new PeerchatServer('mentions').init([ALICE, BOB, CAROL]);
  tokens = {
    alice: await server.token(ALICE.username, ALICE.password),
    bob: await server.token(BOB.username, BOB.password),
    carol: await server.token(CAROL.username, CAROL.password),
  };
  await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob, tokens.carol]);
  browser = await launchBrowser();
  alice = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  bob = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await login(bob.page, server.url, BOB.username, BOB.password);
  await openGroup(alice.page, 'Coaches');
  await openGroup(bob.page, 'Coaches');
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('@ lists the members; arrows, Enter, Tab and Escape work; the mention is highlighted', { timeout: 120000 }, async () => {
  const a = alice.page;
  const input = a.locator('#composer-input');
  const listbox = a.getByRole('listbox', { name: 'Mention someone' });
  await input.click();
  await input.pressSequentially('Thanks @', { delay: 5 });
  await listbox.waitFor();
  // Everyone but Alice herself, and @all because Alice owns the group.
  await expectAccessible(a, 'composer with the mention list open, desktop');
  await a.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(a, 'composer with the mention list open, dark theme');
  await a.emulateMedia({ colorScheme: 'light' });
  const names = (await listbox.getByRole('option').allInnerTexts()).map((t) => t.replace(/\s+/gu, ''));
  assert.deepEqual(names, ['BobOkafor@bob', 'CarolBaptiste@carol', 'Everyoneinthisgroup@all']);
  assert.equal(await listbox.getByRole('option').count(), 3);
  // "b" is the start of bob and of Carol Baptiste; "bo" only of bob.
  await input.pressSequentially('b', { delay: 5 });
  await listbox.getByRole('option', { name: /Everyone/ }).waitFor({ state: 'detached' });
  assert.equal(await listbox.getByRole('option').count(), 2);
  await input.pressSequentially('o', { delay: 5 });
  await listbox.getByRole('option', { name: /Carol/ }).waitFor({ state: 'detached' });
  assert.equal(await listbox.getByRole('option').count(), 1);
  // By display name: "oka" finds Bob Okafor.
  await input.press('Backspace');
  await input.press('Backspace');
  await input.pressSequentially('oka', { delay: 5 });
  await listbox.getByRole('option', { name: /Bob Okafor/ }).waitFor();
  assert.equal(await listbox.getByRole('option').count(), 1);
  await input.press('Enter');
  await listbox.waitFor({ state: 'detached' });
  assert.equal(await input.inputValue(), 'Thanks @bob ', 'Enter picked, and did not send');

  // Arrows move the choice; Tab picks it.
  await input.pressSequentially('and @', { delay: 5 });
  await listbox.waitFor();
  assert.equal(await listbox.getByRole('option', { selected: true }).innerText().then((t) => t.includes('Bob')), true);
  await input.press('ArrowDown');
  await listbox.getByRole('option', { name: /Carol Baptiste/, selected: true }).waitFor();
  assert.equal(await input.getAttribute('aria-activedescendant'), 'mention-opt-1');
  await input.press('ArrowUp');
  await input.press('ArrowUp');
  await listbox.getByRole('option', { name: /Everyone/, selected: true }).waitFor();
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'Thanks @bob and @carol ');

  // Escape closes the list and keeps the text; the next Enter sends.
  await input.pressSequentially('@c', { delay: 5 });
  await listbox.waitFor();
  await input.press('Escape');
  await listbox.waitFor({ state: 'detached' });
  await input.press('Backspace');
  await input.press('Backspace');
  await input.pressSequentially('for the notes', { delay: 5 });
  await input.press('Enter');
  const mine = messageWith(a, 'for the notes');
  await mine.waitFor();
  assert.equal(await mine.locator('.mention').count(), 2);

  // Bob sees his name stand out, and the message marked as mentioning him.
  const seen = messageWith(bob.page, 'for the notes');
  await seen.locator('.mention.mention-me', { hasText: '@bob' }).waitFor();
  await seen.locator('.mention:not(.mention-me)', { hasText: '@carol' }).waitFor();
  assert.match(await seen.getAttribute('class'), /mentions-me/);
  assert.deepEqual(alice.page.problems, []);
  assert.deepEqual(bob.page.problems, []);
});

test('on a phone a tap picks a member', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await login(page, server.url, CAROL.username, CAROL.password);
  await page.locator('.group-item', { hasText: 'Coaches' }).tap();
  await page.locator('#conv-title', { hasText: 'Coaches' }).waitFor();
  const input = page.locator('#composer-input');
  await input.tap();
  await input.pressSequentially('@al', { delay: 5 });
  await page.getByRole('listbox', { name: 'Mention someone' }).waitFor();
  await expectAccessible(page, 'composer with the mention list open, phone');
  await page.getByRole('option', { name: /Alice Martin/ }).tap();
  assert.equal(await input.inputValue(), '@alice ');
  assert.equal(await page.getByRole('option', { name: /Everyone/ }).count(), 0, 'no @all for a member');
  await input.pressSequentially('got it', { delay: 5 });
  await page.getByRole('button', { name: 'Send message' }).tap();
  await messageWith(alice.page, 'got it').locator('.mention.mention-me', { hasText: '@alice' }).waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});
