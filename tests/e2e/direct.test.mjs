// SPDX-License-Identifier: MIT
// Direct messages between two browsers (docs/web-client.md "Direct messages"): Alice starts
// one from Coaches' member list, both see it under "Direct messages" named after the other
// person (with an unread count), it has no group management, and a block stops Bob's
// messages with the server's own words above his composer until Alice unblocks him.
// Alice on a desktop, Bob on a phone; axe on each new screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, sendMessage } from './lib/browser.mjs';
import { PeerchatServer, eventually, list } from './lib/server.mjs';
import { ALICE, BOB, groupWith } from './lib/fixtures.mjs';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let server;
let browser;
let tokens;

before(async () => {
  server = await new PeerchatServer('direct').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

/** Bob, on his phone, types and taps the send button (on a phone Enter is a new line). */
async function phoneSend(page, text) {
  const input = page.locator('#composer-input');
  await input.tap();
  await input.pressSequentially(text, { delay: 5 });
  await page.getByRole('button', { name: 'Send message' }).tap();
}

test('a direct conversation: started from a member, listed apart, private, blocked and unblocked', { timeout: 180000 }, async () => {
  const alice = await newPage(browser, DESKTOP);
  const bob = await newPage(browser, PHONE);
  const a = alice.page;
  const b = bob.page;
  await login(a, server.url, ALICE.username, ALICE.password);
  await login(b, server.url, BOB.username, BOB.password);

  // Alice: Coaches → details → "Message" beside Bob.
  await openGroup(a, 'Coaches');
  await a.getByRole('button', { name: 'Group details and members' }).click();
  await a.getByRole('button', { name: 'Message Bob Okafor' }).waitFor();
  assert.equal(await a.locator('#info-panel .member', { hasText: '(you)' }).getByRole('button', { name: /^Message/ }).count(), 0,
    'no "Message" beside oneself');
  await a.getByRole('button', { name: 'Message Bob Okafor' }).click();
  await a.locator('#conv-title', { hasText: 'Bob Okafor' }).waitFor();
  const dmId = Number(new URL(a.url()).pathname.split('/').pop());
  const dm = list(await server.ok('GET', '/groups', { token: tokens.alice }), 'groups').find((g) => g.id === dmId);
  assert.equal(dm?.kind, 'direct');
  const heading = a.getByRole('heading', { name: 'Direct messages' });
  await heading.waitFor();
  await a.getByRole('list', { name: 'Direct messages' }).locator('.group-item', { hasText: 'Bob Okafor' }).waitFor();
  assert.equal(await a.getByRole('list', { name: 'Direct messages' }).locator('.group-item', { hasText: 'Coaches' }).count(), 0);
  await sendMessage(a, 'Hi Bob, just between us');
  await messageWith(a, 'just between us').waitFor();
  await expectAccessible(a, 'a direct conversation, desktop');

  // Its details: the other person and Block, no group management. (The panel stays open
  // from the group's member list, where the conversation was started.)
  const details = a.getByRole('button', { name: 'Conversation details', exact: true });
  if (await details.getAttribute('aria-expanded') !== 'true') await details.click();
  const panel = a.locator('#info-panel');
  await panel.getByRole('heading', { name: 'Conversation details' }).waitFor();
  await panel.getByRole('heading', { name: 'Bob Okafor' }).waitFor();
  for (const gone of ['Create invite link', 'Leave group', 'Save']) {
    assert.equal(await panel.getByRole('button', { name: gone }).count(), 0, `no "${gone}" in a direct conversation`);
  }
  assert.equal(await panel.locator('select, input').count(), 0, 'no role or name controls');
  await expectAccessible(a, 'a direct conversation’s details, desktop');

  // Starting it again opens the same conversation (POST /direct answers the existing one).
  await openGroup(a, 'Coaches');
  await a.getByRole('button', { name: 'Message Bob Okafor' }).click();
  await a.locator('#conv-title', { hasText: 'Bob Okafor' }).waitFor();
  assert.equal(Number(new URL(a.url()).pathname.split('/').pop()), dmId);
  assert.equal(await a.locator('.direct-list .group-item').count(), 1);

  // Bob's phone: the conversation appears, named after Alice, with one unread message.
  const item = b.getByRole('list', { name: 'Direct messages' }).locator('.group-item', { hasText: 'Alice Martin' });
  await item.locator('.badge', { hasText: '1' }).waitFor({ timeout: 20000 });
  await expectAccessible(b, 'the list with direct messages, phone');
  await item.tap();
  await b.locator('#conv-title', { hasText: 'Alice Martin' }).waitFor();
  await messageWith(b, 'just between us').waitFor();
  await phoneSend(b, 'Sure, what is up?');
  await messageWith(a, 'what is up?').waitFor();
  await expectAccessible(b, 'a direct conversation, phone');
  await b.getByRole('button', { name: 'Conversation details', exact: true }).tap();
  await b.locator('#info-panel').getByRole('button', { name: 'Block Alice Martin' }).waitFor();
  await expectAccessible(b, 'a direct conversation’s details, phone');
  await b.getByRole('button', { name: 'Close conversation details' }).tap();

  // Alice blocks Bob: his next message is refused, in the server's words, above his composer.
  await panel.getByRole('button', { name: 'Block Bob Okafor' }).click();
  const confirm = a.getByRole('dialog', { name: 'Block Bob Okafor?' });
  await confirm.getByRole('button', { name: 'Block' }).click();
  await panel.getByRole('button', { name: 'Unblock Bob Okafor' }).waitFor();
  const refusedByServer = await server.api('POST', `/groups/${dmId}/messages`,
    { token: tokens.bob, body: { body: 'probe', client_msg_id: 'probe-1' } });
  assert.equal(refusedByServer.status, 403);
  await phoneSend(b, 'Hello? Are you there?');
  const note = b.locator('.composer-refused');
  await note.waitFor();
  assert.equal(await note.getAttribute('role'), 'alert');
  assert.equal(await note.innerText(), `Not sent: ${refusedByServer.body.error.message}`);
  await b.locator('.pending.failed', { hasText: 'Are you there?' }).waitFor();
  await expectAccessible(b, 'a refused message in a direct conversation, phone');
  assert.equal(await messageWith(a, 'Are you there?').count(), 0);

  // Unblocked: Bob's retry goes through.
  await panel.getByRole('button', { name: 'Unblock Bob Okafor' }).click();
  await panel.getByRole('button', { name: 'Block Bob Okafor' }).waitFor();
  await b.locator('.pending.failed', { hasText: 'Are you there?' }).getByRole('button', { name: 'Retry' }).tap();
  await messageWith(a, 'Are you there?').waitFor();
  await eventually(async () => (await b.locator('.pending').count()) === 0, { timeoutMs: 10000, what: 'Bob’s outbox to empty' });
  assert.deepEqual([...a.problems, ...b.problems], []);
  await alice.context.close();
  await bob.context.close();
});
