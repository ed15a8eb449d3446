// SPDX-License-Identifier: MIT
// Kudos and polls in two browsers (docs/community.md "Kudos", "Polls"): Alice, on a desktop,
// gives Bob kudos for his message; the card shows in both conversations and Bob, on his
// phone, finds it on the Kudos wall. Alice creates a poll from the composer; both vote from
// their own browser and see each other's vote live; Alice closes it. An anonymous poll shows
// "You voted" and its counts arrive a few seconds later. Axe on every new screen, desktop and
// phone; screenshots with SCREENSHOTS=1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, screenshot } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let server;
let browser;
let tokens;
let group;

before(async () => {
  server = await new PeerchatServer('kudos-polls').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  group = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  await post(server, tokens.bob, group.id, 'My pressing drill: 4v4 in a 20x20 box, win it back within 5 seconds');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

const card = (page, cls, text) => page.locator(`.msg-list .${cls}`, { hasText: text });

/** Alice on a desktop and Bob on a phone, each signed in with Coaches open. */
async function bothInCoaches() {
  const alice = await newPage(browser, DESKTOP);
  const bob = await newPage(browser, PHONE);
  const a = alice.page;
  const b = bob.page;
  await login(a, server.url, ALICE.username, ALICE.password);
  await login(b, server.url, BOB.username, BOB.password);
  await openGroup(a, 'Coaches');
  await openGroup(b, 'Coaches');
  return { alice, bob, a, b };
}

test('kudos for a message: a card in both conversations and on the Kudos wall', { timeout: 180000 }, async () => {
  const { alice, bob, a, b } = await bothInCoaches();

  const drill = messageWith(a, 'My pressing drill');
  await drill.hover();
  await drill.getByRole('button', { name: 'Give kudos to Bob Okafor for this message' }).click();
  const dialog = a.getByRole('dialog', { name: 'Give kudos for this message' });
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel('To', { exact: true }).inputValue(), String(await bobId()));
  await dialog.getByLabel('Note', { exact: true }).fill('Best pressing drill I have seen this season');
  await expectAccessible(a, 'the give-kudos dialog, desktop');
  await dialog.getByRole('button', { name: 'Give kudos' }).click();
  await dialog.waitFor({ state: 'detached' });

  await card(a, 'kudos-card', 'Best pressing drill').waitFor();
  const bobsCard = card(b, 'kudos-card', 'Best pressing drill');
  await bobsCard.waitFor();
  assert.match(await bobsCard.innerText(), /Alice Martin\s+gave kudos to\s+you/);
  await expectAccessible(a, 'a kudos card in the conversation, desktop');
  await expectAccessible(b, 'a kudos card in the conversation, phone');
  await screenshot(a, path.join(SCREENSHOTS, 'kudos-card.png'));

  // Bob's phone: the Kudos wall, this month and all time, and filtered to him.
  await b.getByRole('button', { name: 'Kudos wall' }).tap();
  const wall = b.getByRole('dialog', { name: 'Kudos wall' });
  await wall.waitFor();
  const totals = wall.getByRole('list', { name: 'Kudos received' });
  await totals.locator('.kudos-total', { hasText: 'Bob Okafor' }).waitFor();
  assert.match(await totals.innerText(), /Bob Okafor\s+🏅 1/);
  await wall.locator('.kudos-item', { hasText: 'Best pressing drill' }).waitFor();
  await expectAccessible(b, 'the Kudos wall, phone');
  await screenshot(b, path.join(SCREENSHOTS, 'kudos-wall-phone.png'));
  await wall.getByRole('button', { name: 'All time' }).tap();
  assert.equal(await wall.getByRole('button', { name: 'All time' }).getAttribute('aria-pressed'), 'true');
  await wall.getByLabel('Member').selectOption({ label: 'Alice Martin' });
  await wall.getByText('No kudos yet.').waitFor();
  await wall.getByLabel('Member').selectOption({ label: 'Bob Okafor' });
  await wall.locator('.kudos-item', { hasText: 'Best pressing drill' }).waitFor();
  await wall.getByRole('button', { name: 'Close the kudos wall' }).tap();

  // Alice's desktop wall.
  await a.getByRole('button', { name: 'Kudos wall' }).click();
  await a.getByRole('dialog', { name: 'Kudos wall' }).locator('.kudos-item', { hasText: 'Best pressing drill' }).waitFor();
  await expectAccessible(a, 'the Kudos wall, desktop');
  await screenshot(a, path.join(SCREENSHOTS, 'kudos-wall.png'));
  await a.keyboard.press('Escape');

  // Alice withdraws it (Bob, a plain member, cannot): the card leaves both conversations, live.
  assert.equal(await card(b, 'kudos-card', 'Best pressing drill').getByRole('button', { name: /this kudos/ }).count(), 0);
  await card(a, 'kudos-card', 'Best pressing drill').getByRole('button', { name: 'Withdraw this kudos' }).click();
  await a.getByRole('dialog', { name: 'Withdraw your kudos?' }).getByRole('button', { name: 'Withdraw' }).click();
  await card(a, 'kudos-card', 'Best pressing drill').waitFor({ state: 'detached' });
  await card(b, 'kudos-card', 'Best pressing drill').waitFor({ state: 'detached' });

  assert.deepEqual([...a.problems, ...b.problems], []);
  await alice.context.close();
  await bob.context.close();
});

async function bobId() {
  const me = await server.ok('GET', '/me', { token: tokens.bob });
  tokens.bobId = me.id;
  return me.id;
}

test('a poll from the composer, votes from two browsers, live results, closed by its author', { timeout: 180000 }, async () => {
  const { alice, bob, a, b } = await bothInCoaches();

  await a.getByRole('button', { name: 'Create a poll' }).click();
  const dialog = a.getByRole('dialog', { name: 'New poll' });
  await dialog.waitFor();
  await dialog.getByLabel('Question', { exact: true }).fill('Which drill on Saturday?');
  await dialog.getByLabel('Option 1', { exact: true }).fill('Rondo');
  await dialog.getByLabel('Option 2', { exact: true }).fill('Pressing');
  await dialog.getByRole('button', { name: 'Add option' }).click();
  await dialog.getByLabel('Option 3', { exact: true }).fill('Finishing');
  await expectAccessible(a, 'the new-poll dialog, desktop');
  await screenshot(a, path.join(SCREENSHOTS, 'poll-create.png'));
  await dialog.getByRole('button', { name: 'Create poll' }).click();
  await dialog.waitFor({ state: 'detached' });

  const alicePoll = card(a, 'poll-card', 'Which drill on Saturday?');
  const bobPoll = card(b, 'poll-card', 'Which drill on Saturday?');
  await alicePoll.waitFor();
  await bobPoll.waitFor();

  await alicePoll.getByLabel('Rondo').check();
  await alicePoll.getByRole('button', { name: 'Vote' }).click();
  await bobPoll.getByText('1 voter').waitFor();   // Alice's vote, live on Bob's phone
  await bobPoll.getByLabel('Pressing').tap();
  await bobPoll.getByRole('button', { name: 'Vote' }).tap();
  await alicePoll.getByText('2 voters').waitFor();  // Bob's vote, live on Alice's desktop
  for (const p of [alicePoll, bobPoll]) {
    await p.locator('.poll-option', { hasText: 'Rondo' }).getByText('1 vote · 50%').waitFor();
    await p.locator('.poll-option', { hasText: 'Pressing' }).getByText('1 vote · 50%').waitFor();
    await p.locator('.poll-option', { hasText: 'Finishing' }).getByText('0 votes · 0%').waitFor();
  }
  await expectAccessible(a, 'a poll card with votes, desktop');
  await expectAccessible(b, 'a poll card with votes, phone');
  await screenshot(a, path.join(SCREENSHOTS, 'poll-card.png'));
  await screenshot(b, path.join(SCREENSHOTS, 'poll-card-phone.png'));

  // Only the author (or an owner/admin) has a Close button; Bob, a member, has none.
  assert.equal(await bobPoll.getByRole('button', { name: 'Close poll' }).count(), 0);
  await alicePoll.getByRole('button', { name: 'Close poll' }).click();
  await bobPoll.locator('.poll-meta', { hasText: 'Closed' }).waitFor();
  await alicePoll.locator('.poll-meta', { hasText: 'Closed' }).waitFor();
  assert.equal(await bobPoll.getByRole('button', { name: /Vote|Change vote/ }).count(), 0);
  assert.equal(await bobPoll.getByRole('list', { name: 'Results' }).count(), 1);

  // After a reload the poll comes back from GET /polls with Bob's own vote marked.
  await b.reload();
  await b.locator('#conv-title', { hasText: 'Coaches' }).waitFor();
  await card(b, 'poll-card', 'Which drill on Saturday?').locator('.poll-mine', { hasText: 'Pressing' }).waitFor();

  assert.deepEqual([...a.problems, ...b.problems], []);
  await alice.context.close();
  await bob.context.close();
});

test('an anonymous poll: votes are final and the counts come a few seconds later', { timeout: 180000 }, async () => {
  await server.ok('POST', `/groups/${group.id}/polls`, {
    token: tokens.alice,
    body: { question: 'Was the workshop useful?', options: ['Yes', 'No'], anonymous: true },
  });
  const { alice, bob, a, b } = await bothInCoaches();
  const alicePoll = card(a, 'poll-card', 'Was the workshop useful?');
  const bobPoll = card(b, 'poll-card', 'Was the workshop useful?');
  await alicePoll.getByText('Anonymous: your vote is final.').waitFor();

  await bobPoll.getByLabel('Yes').tap();
  await bobPoll.getByRole('button', { name: 'Vote' }).tap();
  await bobPoll.getByText(/^You voted\./).waitFor();
  assert.equal(await bobPoll.getByRole('button', { name: /Vote/ }).count(), 0, 'an anonymous vote cannot be changed');
  await alicePoll.getByLabel('No').check();
  await alicePoll.getByRole('button', { name: 'Vote' }).click();
  // The coalesced count event: both votes, no names.
  await bobPoll.getByText('2 voters').waitFor({ timeout: 15000 });
  await alicePoll.getByText('2 voters').waitFor({ timeout: 15000 });
  assert.equal(await alicePoll.locator('[title]').filter({ hasText: 'Bob' }).count(), 0);
  await expectAccessible(b, 'an anonymous poll after voting, phone');
  await screenshot(b, path.join(SCREENSHOTS, 'poll-anonymous-phone.png'));

  assert.deepEqual([...a.problems, ...b.problems], []);
  await alice.context.close();
  await bob.context.close();
});
