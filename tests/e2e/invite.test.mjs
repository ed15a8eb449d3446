// SPDX-License-Identifier: MIT
// Joining through an invite link: a new person creates an account on /invite/<code>, lands
// in the group and is heard; an existing user joins with their login; a bad link explains itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, screenshot, sendMessage } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS } from './lib/server.mjs';
import { ALICE, BOB, groupWith, messagesOf } from './lib/fixtures.mjs';

let server;
let browser;
let token;
let group;

before(async () => {
  server = await new PeerchatServer('invite').init([ALICE, BOB]);
  token = await server.token(ALICE.username, ALICE.password);
  group = await groupWith(server, token, { name: 'Running club', topic: 'Sunday long runs' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('a new person joins through an invite link and says hello', { timeout: 120000 }, async () => {
  const invite = await server.ok('POST', `/groups/${group.id}/invites`, { token, body: { max_uses: 1, expires_in_s: 86400 } });
  assert.ok(invite.url.endsWith(`/invite/${invite.code}`));

  const admin = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(admin.page, server.url, ALICE.username, ALICE.password);
  await openGroup(admin.page, 'Running club');

  const guest = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const g = guest.page;
  await g.goto(invite.url);
  await g.locator('#invite-title', { hasText: 'Running club' }).waitFor();
  await g.getByText('Alice Martin invited you to join').waitFor();
  await g.locator('#join-display-name').fill('Dana Reyes');
  await g.locator('#join-username').fill('dana');
  await g.locator('#join-password').fill('dana-password-1');
  await expectAccessible(g, 'invite: create an account and join, desktop');
  await screenshot(g, path.join(SCREENSHOTS, 'invite.png'));
  await g.getByRole('button', { name: 'Join Running club' }).click();

  await g.locator('#conv-title', { hasText: 'Running club' }).waitFor();
  assert.match(new URL(g.url()).pathname, new RegExp(`^/g/${group.id}$`));
  await sendMessage(g, 'Hi everyone, Dana here!');
  const seen = messageWith(admin.page, 'Dana here');
  await seen.waitFor();
  await seen.locator('.msg-author', { hasText: 'Dana Reyes' }).waitFor();

  // The single-use link is used up now.
  const again = await server.api('GET', `/invites/${invite.code}`);
  assert.equal(again.status, 404);
  assert.equal(again.body.error.code, 'invite_invalid');
  assert.equal((await messagesOf(server, token, group.id)).filter((m) => m.body === 'Hi everyone, Dana here!').length, 1);
  assert.deepEqual([...admin.page.problems, ...g.problems], []);
  await admin.context.close();
  await guest.context.close();
});

test('someone with an account signs in on the invite page and joins', { timeout: 120000 }, async () => {
  const invite = await server.ok('POST', `/groups/${group.id}/invites`, { token, body: { max_uses: 1 } });
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/invite/${invite.code}`);
  await page.getByRole('tab', { name: 'I have an account' }).click();
  await page.locator('#join-login-username').fill(BOB.username);
  await expectAccessible(page, 'invite: sign in and join, desktop');
  await page.locator('#join-login-password').fill(BOB.password);
  await page.getByRole('button', { name: 'Sign in and join' }).click();
  await page.locator('#conv-title', { hasText: 'Running club' }).waitFor();
  await page.locator('.msg-author', { hasText: 'Dana Reyes' }).first().waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('an unknown invite code says the link is not valid', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${server.url}/invite/not-a-real-code`);
  await page.getByRole('heading', { name: 'This invite is not valid' }).waitFor();
  await expectAccessible(page, 'invalid invite, desktop');
  await context.close();
});

test('the invite page on a phone', { timeout: 120000 }, async () => {
  const invite = await server.ok('POST', `/groups/${group.id}/invites`, { token, body: { max_uses: 1 } });
  const { context, page } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.goto(`${server.url}/invite/${invite.code}`);
  await page.locator('#join-display-name').waitFor();
  await expectAccessible(page, 'invite: create an account and join, phone');
  await page.getByRole('tab', { name: 'I have an account' }).tap();
  await page.locator('#join-login-username').waitFor();
  await expectAccessible(page, 'invite: sign in and join, phone');
  assert.deepEqual(page.problems, []);
  await context.close();
});
