// SPDX-License-Identifier: MIT
// Two people in two browsers: messages both ways, typing, reactions, replies, edits,
// unread badges, search, and user text that must never become markup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, screenshot, sendMessage, sessionCookie, storageHolding } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS, eventually } from './lib/server.mjs';
import { ALICE, BOB, groupWith, messagesOf, post } from './lib/fixtures.mjs';

let server;
let browser;
let alice;
let bob;
let tokens;
let coaches;
let books;
// Only in the presence test's own group, so the other tests' member counts stay as they are.
const CAROL = { username: 'carol', display_name: 'Carol Ndiaye', password: 'carol-password-1' };

before(async () => {
  server = await new PeerchatServer('chat').init([ALICE, BOB, CAROL]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches', topic: 'Weekly sync for the coaching circle' }, [tokens.bob]);
  books = await groupWith(server, tokens.alice, { name: 'Book club' }, [tokens.bob]);
  await post(server, tokens.alice, coaches.id, 'Morning all! Notes from last week: https://example.org/notes');
  await post(server, tokens.bob, coaches.id, 'Thanks Alice, I read them on the train.');
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

test('two people chat both ways, see typing, a reaction and a mention', { timeout: 120000 }, async () => {
  const startedAt = Date.now();
  const a = alice.page;
  const b = bob.page;
  await sendMessage(a, 'Hi Bob, are you ready for Thursday?');
  await messageWith(b, 'ready for Thursday').waitFor();

  // Bob types: Alice sees the indicator before the message is sent.
  const input = b.locator('#composer-input');
  await input.click();
  await input.pressSequentially('Yes! @alice see you there', { delay: 15 });
  await a.locator('.typing', { hasText: 'Bob Okafor is typing' }).waitFor();
  await expectAccessible(a, 'conversation with someone typing, desktop');
  await input.press('Enter');
  const fromBob = messageWith(a, 'see you there');
  await fromBob.waitFor();
  await fromBob.locator('.mention.mention-me', { hasText: '@alice' }).waitFor();
  await a.locator('.typing', { hasText: 'typing' }).waitFor({ state: 'detached' });

  // Alice reacts 👍 to Bob's message; both see it, Bob's count is 1.
  await fromBob.hover();
  await fromBob.getByRole('button', { name: 'Add reaction' }).click();
  await expectAccessible(a, 'conversation with the reaction picker open, desktop');
  await a.getByRole('button', { name: 'React with 👍' }).click();
  await messageWith(b, 'see you there').locator('.reaction[data-emoji="👍"]', { hasText: '1' }).waitFor();
  await fromBob.locator('.reaction[data-emoji="👍"][aria-pressed="true"]').waitFor();
  await expectAccessible(a, 'conversation with a mention and a reaction, desktop');

  // The server's history agrees.
  const stored = await messagesOf(server, tokens.alice, coaches.id);
  const m = stored.find((x) => x.body === 'Yes! @alice see you there');
  assert.ok(m, 'Bob’s message is stored');
  assert.deepEqual(m.reactions['👍'], [(await server.ok('GET', '/me', { token: tokens.alice })).id]);

  // Each browser named its message with a UUID v7: the time of sending first, so ids grow with
  // time and land at the end of the server's idempotency index (docs/performance.md).
  for (const body of ['Hi Bob, are you ready for Thursday?', 'Yes! @alice see you there']) {
    const id = stored.find((x) => x.body === body).client_msg_id;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    assert.ok(ms >= startedAt && ms <= Date.now(), `the id's time ${ms} is the time it was sent`);
  }
});

test('reply, edit and delete show up for the other person', { timeout: 120000 }, async () => {
  const a = alice.page;
  const b = bob.page;
  const target = messageWith(b, 'ready for Thursday');
  await target.hover();
  await target.getByRole('button', { name: 'Reply' }).click();
  await b.locator('.reply-bar', { hasText: 'Alice Martin' }).waitFor();
  await expectAccessible(b, 'composer replying to a message, desktop');
  await sendMessage(b, 'Bringing the slides');
  const reply = messageWith(a, 'Bringing the slides');
  await reply.locator('.msg-quote', { hasText: 'ready for Thursday' }).waitFor();

  const mine = messageWith(b, 'Bringing the slides');
  await mine.hover();
  await mine.getByRole('button', { name: 'Edit message' }).click();
  await b.locator('.edit-input').fill('Bringing the slides and snacks');
  await expectAccessible(b, 'conversation with a reply, editing a message, desktop');
  await b.locator('.edit-input').press('Enter');
  await messageWith(a, 'and snacks').locator('.msg-edited').waitFor();

  await mine.hover();
  await mine.getByRole('button', { name: 'Delete message' }).click();
  await b.getByRole('dialog').waitFor();
  await expectAccessible(b, 'delete confirmation dialog, desktop');
  await b.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await messageWith(a, 'and snacks').waitFor({ state: 'detached' });
  await a.locator('.msg-deleted').first().waitFor();
  await expectAccessible(a, 'conversation with a deleted message, desktop');
});

test('a message in another group bumps its unread badge, opening it clears it', { timeout: 120000 }, async () => {
  const a = alice.page;
  await post(server, tokens.bob, books.id, 'Chapter 3 was wild');
  const item = a.locator('.group-item', { hasText: 'Book club' });
  await item.locator('.badge', { hasText: '1' }).waitFor();
  await item.locator('.group-preview', { hasText: 'Chapter 3 was wild' }).waitFor();
  await expectAccessible(a, 'group list with an unread badge, desktop');
  await openGroup(a, 'Book club');
  await item.locator('.badge').waitFor({ state: 'detached' });
  await eventually(async () => {
    const groups = (await server.ok('GET', '/groups', { token: tokens.alice })).groups;
    return groups.find((g) => g.id === books.id)?.unread === 0;
  }, { what: 'the server to record the read marker' });
  await openGroup(a, 'Coaches');
});

test('the conversation as people see it (screenshots with SCREENSHOTS=1)', { timeout: 120000 }, async () => {
  const a = alice.page;
  await sendMessage(a, 'Agenda: 1) check-in 2) wins of the week 3) next steps 🎉');
  await messageWith(a, 'Agenda').waitFor();
  await screenshot(a, path.join(SCREENSHOTS, 'desktop.png'));
  // The dark theme has colours of its own: one check of the busiest screen in it.
  await a.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(a, 'conversation in the dark theme, desktop');
  await a.emulateMedia({ colorScheme: 'light' });
  if (process.env.SCREENSHOTS === '1') {
    await a.getByRole('button', { name: 'Group details and members' }).click();
    await a.locator('#info-panel').getByRole('heading', { name: 'Group details' }).waitFor();
    await a.emulateMedia({ colorScheme: 'dark' });
    await screenshot(a, path.join(SCREENSHOTS, 'desktop-dark.png'));
    await a.emulateMedia({ colorScheme: 'light' });
    await a.getByRole('button', { name: 'Close group details' }).click();
  }
});

test('HTML in a message is shown as text and never runs', { timeout: 120000 }, async () => {
  const a = alice.page;
  const b = bob.page;
  const payload = '<img src=x onerror=alert(1)>';
  await sendMessage(a, payload);
  for (const p of [a, b]) {
    const body = messageWith(p, payload).locator('.msg-body');
    await body.waitFor();
    assert.equal(await body.innerText(), payload);
    assert.equal(await p.locator('.msg-list img').count(), 0, 'no <img> was created');
  }
  // Search snippets are rendered with <mark> elements, never as markup either.
  await b.locator('#search-input').fill('onerror');
  const snippet = b.locator('.search-result .search-snippet').first();
  await snippet.locator('mark').first().waitFor();
  assert.match(await snippet.innerText(), /onerror/);
  await expectAccessible(b, 'search results, desktop');
  assert.equal(await b.locator('.search-result img').count(), 0);
  await b.locator('.search-result').first().click();
  await messageWith(b, payload).and(b.locator('.flash')).waitFor();
  await b.locator('#search-input').fill('');
  await b.locator('.group-item').first().waitFor();

  assert.deepEqual(a.dialogs, [], 'no dialog opened for Alice');
  assert.deepEqual(b.dialogs, [], 'no dialog opened for Bob');
});

test('owners manage the group: topic, roles, invite links, a new group', { timeout: 120000 }, async () => {
  const a = alice.page;
  const b = bob.page;
  await a.getByRole('button', { name: 'Group details and members' }).click();
  const panel = a.locator('#info-panel');
  await panel.getByRole('heading', { name: 'Group details' }).waitFor();

  await panel.locator('#info-topic').fill('Thursdays at 10, bring one win');
  await panel.getByRole('button', { name: 'Save' }).click();
  await b.locator('.conv-topic', { hasText: 'Thursdays at 10' }).waitFor();

  const bobId = (await server.ok('GET', '/me', { token: tokens.bob })).id;
  await panel.getByLabel('Role of Bob Okafor').selectOption('admin');
  await eventually(async () => {
    const g = await server.ok('GET', `/groups/${coaches.id}`, { token: tokens.alice });
    return g.members.find((m) => m.user_id === bobId)?.role === 'admin';
  }, { what: 'Bob to become admin' });

  await panel.getByLabel('Max uses').fill('5');
  await panel.getByRole('button', { name: 'Create invite link' }).click();
  const url = await panel.locator('.invite-url').inputValue();
  await expectAccessible(a, 'group details panel with members and an invite link, desktop');
  const code = decodeURIComponent(new URL(url).pathname.replace('/invite/', ''));
  assert.equal((await server.api('GET', `/invites/${code}`)).status, 200);
  await panel.locator('.invite', { hasText: '0/5 used' }).getByRole('button', { name: /^Revoke/ }).click();
  await panel.getByText('No active invite links.').waitFor();
  assert.equal((await server.api('GET', `/invites/${code}`)).status, 404);
  await panel.getByRole('button', { name: 'Close group details' }).click();
  await panel.waitFor({ state: 'hidden' });

  await a.getByRole('button', { name: 'New group' }).click();
  const dialog = a.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Name').fill('Design crit');
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await a.locator('#conv-title', { hasText: 'Design crit' }).waitFor();
  await sendMessage(a, 'First!');
  await messageWith(a, 'First!').waitFor();
  await openGroup(a, 'Coaches');
});

test('older history loads on scrolling up; a search hit far back opens around it', { timeout: 120000 }, async () => {
  const a = alice.page;
  const archive = await groupWith(server, tokens.alice, { name: 'Archive' }, [tokens.bob]);
  for (let i = 1; i <= 130; i += 1) {
    await post(server, i % 2 ? tokens.alice : tokens.bob, archive.id, `History ${String(i).padStart(3, '0')}`, `hist-${i}`);
  }
  // A fresh start, so the history the socket streamed while seeding is not in memory.
  await a.reload();
  await openGroup(a, 'Archive');
  await messageWith(a, 'History 130').waitFor();
  assert.equal(await messageWith(a, 'History 001').count(), 0, 'only the newest page at first');
  // Scroll to the top until the first message has been loaded (each page is 50 messages).
  await eventually(async () => {
    await a.locator('.messages').evaluate((el) => { el.scrollTop = 0; });
    return (await messageWith(a, 'History 001').count()) === 1;
  }, { timeoutMs: 20000, intervalMs: 250, what: 'the oldest page' });
  await a.locator('.history-start').waitFor();
  await expectAccessible(a, 'conversation scrolled to the start of its history, desktop');
  assert.equal(await a.locator('.msg-list .msg').count(), 130);

  // Somewhere else, then search: the hit is in history the client no longer holds.
  await openGroup(a, 'Coaches');
  await a.locator('#search-input').fill('History 007');
  await a.locator('.search-result', { hasText: 'Archive' }).first().click();
  await a.locator('#conv-title', { hasText: 'Archive' }).waitFor();
  await messageWith(a, 'History 007').and(a.locator('.flash')).waitFor();
  await a.locator('#search-input').fill('');
  await openGroup(a, 'Coaches');
});

test('the header counts who is online: a member coming online and going offline', { timeout: 120000 }, async () => {
  const a = alice.page;
  const carolToken = await server.token(CAROL.username, CAROL.password);
  await groupWith(server, tokens.alice, { name: 'Presence circle' }, [carolToken]);
  await openGroup(a, 'Presence circle');
  await a.locator('.conv-online', { hasText: '2 members · 1 online' }).waitFor();
  // Carol signs in: her page's ready lists Alice online; Alice is told Carol came (presence or presence_batch).
  const carol = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(carol.page, server.url, CAROL.username, CAROL.password);
  await openGroup(carol.page, 'Presence circle');
  await carol.page.locator('.conv-online', { hasText: '2 members · 2 online' }).waitFor();
  await a.locator('.conv-online', { hasText: '2 members · 2 online' }).waitFor();
  // Her last connection closes: Alice sees her go (the contract allows 10 s).
  await carol.page.context().close();
  await a.locator('.conv-online', { hasText: '2 members · 1 online' }).waitFor({ timeout: 15000 });
  await openGroup(a, 'Coaches');
});

test('no page errors or CSP violations on either page', { timeout: 120000 }, async () => {
  assert.deepEqual(alice.page.problems, []);
  assert.deepEqual(bob.page.problems, []);
});

test('the session lives in the HttpOnly cookie alone, out of reach of script', { timeout: 120000 }, async () => {
  for (const { page } of [alice, bob]) {
    const cookie = await sessionCookie(page);
    assert.ok(cookie?.value, 'signed in, with a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.deepEqual(await storageHolding(page, cookie.value), [], 'no token in localStorage or sessionStorage');
    assert.equal((await page.evaluate(() => document.cookie)).includes(cookie.value), false);
  }
  // A token an older version stored is removed when the app loads; the session goes on.
  const b = bob.page;
  await b.evaluate(() => localStorage.setItem('peerchat.token', 'left-by-an-older-version'));
  await b.reload();
  await b.locator('.sidebar .group-list').waitFor();
  assert.deepEqual(await storageHolding(b, 'left-by-an-older-version'), []);
  await openGroup(b, 'Coaches');
});

test('signing out returns to the sign-in page and ends the session', { timeout: 120000 }, async () => {
  const b = bob.page;
  const token = (await sessionCookie(b)).value;
  await b.getByRole('button', { name: 'Sign out' }).click();
  await b.locator('#login-username').waitFor();
  assert.equal(new URL(b.url()).pathname, '/login');
  assert.equal((await sessionCookie(b))?.value || '', '', 'the cookie is cleared');
  assert.equal((await server.api('GET', '/me', { token })).status, 401);
  await b.goto(`${server.url}/g/${coaches.id}`);
  await b.waitForURL(/\/login\?next=/);
});
