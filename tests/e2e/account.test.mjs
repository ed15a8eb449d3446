// SPDX-License-Identifier: MIT
// A peer's own account in the browser (docs/web-client.md "Your account"): the profile (name,
// about, picture) as another member then sees it, a password change that signs out the
// other browser, the devices list with one device signed out, and a forgotten password
// mended through a reset link the admin made. Desktop and phone layouts, axe on each screen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup } from './lib/browser.mjs';
import { PeerchatServer, eventually, list } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

const PICTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/web/icon-192.png');
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let server;
let browser;
let tokens;
let coaches;
let bobId;
let bobPassword = BOB.password;

before(async () => {
  server = await new PeerchatServer('account').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  await post(server, tokens.bob, coaches.id, 'Hello from Bob, before any rename');
  const detail = await server.ok('GET', `/groups/${coaches.id}`, { token: tokens.alice });
  bobId = detail.members.find((m) => m.username === BOB.username).user_id;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

async function openAccount(page) {
  await page.getByRole('button', { name: 'Your account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your account' });
  await dialog.waitFor();
  return dialog;
}

/** Whether `img` (a locator) shows a picture that really loaded. */
function loaded(img) {
  return img.evaluate((el) => el.complete && el.naturalWidth > 0);
}

test('profile: a new name, about line and picture (previewed); another member sees the new name on old messages', { timeout: 150000 }, async () => {
  const bob = await newPage(browser, DESKTOP);
  const alice = await newPage(browser, DESKTOP);
  await login(bob.page, server.url, BOB.username, bobPassword);
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await openGroup(alice.page, 'Coaches');
  await messageWith(alice.page, 'before any rename').locator('.msg-author', { hasText: 'Bob Okafor' }).waitFor();

  const b = bob.page;
  let dialog = await openAccount(b);
  await expectAccessible(b, 'account screen, desktop');
  await dialog.locator('#account-name').fill('Bobby Okafor-Lee');
  await dialog.locator('#account-about').fill('Implementer, Denver');
  await dialog.locator('#account-avatar').setInputFiles(PICTURE);
  const preview = dialog.getByRole('img', { name: 'Preview of your new picture' });
  await preview.waitFor();
  assert.ok(await loaded(preview), 'the chosen picture is previewed before saving');
  await expectAccessible(b, 'account screen with a picture preview, desktop');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
  const me = await server.ok('GET', '/me', { token: tokens.bob });
  assert.equal(me.display_name, 'Bobby Okafor-Lee');
  assert.equal(me.about, 'Implementer, Denver');
  assert.equal(me.avatar, true);
  await dialog.getByRole('button', { name: 'Close your account' }).click();
  await dialog.waitFor({ state: 'detached' });
  // The sidebar shows the new name and picture at once.
  await b.locator('.me-name', { hasText: 'Bobby Okafor-Lee' }).waitFor();
  assert.ok(await loaded(b.locator('.me .avatar-img')), 'Bob’s own picture in the sidebar');

  // Alice sees the current name on Bob's old message (names are rendered from user ids).
  const a = alice.page;
  await a.reload();
  await a.locator('#conv-title', { hasText: 'Coaches' }).waitFor();
  await messageWith(a, 'before any rename').locator('.msg-author', { hasText: 'Bobby Okafor-Lee' }).waitFor();
  await a.getByRole('button', { name: 'Group details and members' }).click();
  await a.locator('#info-panel .member', { hasText: 'Bobby Okafor-Lee' }).waitFor();

  // Removing the picture brings the initials back.
  dialog = await openAccount(b);
  await dialog.getByRole('button', { name: 'Remove picture' }).click();
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
  assert.equal((await server.ok('GET', '/me', { token: tokens.bob })).avatar, false);
  await dialog.getByRole('button', { name: 'Close your account' }).click();
  assert.equal(await b.locator('.me .avatar-img').count(), 0);
  assert.deepEqual([...b.problems, ...a.problems], []);
  await bob.context.close();
  await alice.context.close();
});

test('another member sees Bob’s picture beside his messages, in the member list and the mention list', { timeout: 120000 }, async () => {
  const upload = await fetch(`${server.url}/api/v1/me/avatar`, {
    method: 'PUT', headers: { Authorization: `Bearer ${tokens.bob}`, 'Content-Type': 'image/png' }, body: await readFile(PICTURE),
  });
  assert.equal(upload.status, 200);
  const alice = await newPage(browser, DESKTOP);
  const a = alice.page;
  await login(a, server.url, ALICE.username, ALICE.password);
  await openGroup(a, 'Coaches');
  const old = messageWith(a, 'before any rename');
  await eventually(() => loaded(old.locator('.avatar-img')), { timeoutMs: 10000, what: 'Bob’s picture beside his message' });
  await a.getByRole('button', { name: 'Group details and members' }).click();
  const bobRow = a.locator('#info-panel .member', { hasText: '@bob' });
  await bobRow.waitFor();
  await eventually(() => loaded(bobRow.locator('.avatar-img')), { timeoutMs: 10000, what: 'Bob’s picture in the member list' });
  await a.getByRole('button', { name: 'Close group details' }).click();
  await a.locator('#composer-input').pressSequentially('@bob', { delay: 5 });
  const option = a.getByRole('option', { name: /@bob/ });
  await option.waitFor();
  await eventually(() => loaded(option.locator('.avatar-img')), { timeoutMs: 10000, what: 'Bob’s picture in the mention list' });
  await expectAccessible(a, 'pictures beside messages and in the mention list, desktop');
  assert.deepEqual(a.problems, []);
  await alice.context.close();
  assert.equal((await server.api('DELETE', '/me/avatar', { token: tokens.bob })).status, 204);
});

test('password: wrong or mismatched input is explained; a change signs out the other browser', { timeout: 150000 }, async () => {
  const here = await newPage(browser, DESKTOP);
  const other = await newPage(browser, PHONE);
  await login(here.page, server.url, BOB.username, bobPassword);
  await login(other.page, server.url, BOB.username, bobPassword);
  await other.page.locator('.group-item', { hasText: 'Coaches' }).waitFor();

  const dialog = await openAccount(here.page);
  await dialog.locator('#account-current-password').fill('not-my-password');
  await dialog.locator('#account-new-password').fill('bob-new-password-2');
  await dialog.locator('#account-confirm-password').fill('bob-new-password-3');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
  await dialog.locator('#account-confirm-password').fill('bob-new-password-2');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'The current password is not right.' }).waitFor();
  await expectAccessible(here.page, 'account screen, a password error, desktop');
  assert.equal(await here.page.locator('.sidebar').isVisible(), true, 'a wrong current password does not sign this device out');

  await dialog.locator('#account-current-password').fill(bobPassword);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Your other devices were signed out' }).waitFor();
  bobPassword = 'bob-new-password-2';
  tokens.bob = await server.token(BOB.username, bobPassword);

  // The phone's session ended: its socket closed, and it shows the sign-in page.
  await other.page.waitForURL(/\/login/, { timeout: 20000 });
  await other.page.locator('#login-username').waitFor();
  // This browser stays signed in.
  await dialog.getByRole('button', { name: 'Close your account' }).click();
  await here.page.locator('.group-item', { hasText: 'Coaches' }).click();
  await here.page.locator('#conv-title', { hasText: 'Coaches' }).waitFor();
  assert.deepEqual(here.page.problems, []);
  await here.context.close();
  await other.context.close();
});

test('devices: listed with this one marked; one signed out, then all others', { timeout: 150000 }, async () => {
  const phone = await newPage(browser, PHONE);
  const laptop = await newPage(browser, DESKTOP);
  await login(phone.page, server.url, BOB.username, bobPassword);
  await login(laptop.page, server.url, BOB.username, bobPassword);
  const p = phone.page;

  const dialog = await openAccount(p);
  const devices = dialog.locator('.device');
  await eventually(async () => (await devices.count()) >= 3, { timeoutMs: 10000, what: 'the devices list (phone, laptop, the API token)' });
  await expectAccessible(p, 'account screen with devices, phone');
  await p.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(p, 'account screen with devices, phone, dark theme');
  await p.emulateMedia({ colorScheme: 'light' });
  const mine = dialog.locator('.device-current');
  assert.equal(await mine.count(), 1);
  assert.match(await mine.innerText(), /This device/);
  const sessions = list(await server.ok('GET', '/me/sessions', { token: tokens.bob }), 'sessions');

  // The laptop is the most recent of the others: sign it out from the phone.
  const laptopSession = sessions.filter((s) => !s.current).sort((a, b) => b.created_at - a.created_at)[0];
  await dialog.locator(`.device[data-session="${laptopSession.id}"]`).getByRole('button', { name: /^Sign out/ }).tap();
  await dialog.getByRole('status').filter({ hasText: 'was signed out' }).waitFor();
  await laptop.page.waitForURL(/\/login/, { timeout: 20000 });
  assert.equal(await dialog.locator(`.device[data-session="${laptopSession.id}"]`).count(), 0);

  // All others: the API token used by this test stops working too.
  await dialog.getByRole('button', { name: 'Sign out all other devices' }).tap();
  await dialog.getByRole('status').filter({ hasText: 'Every other device was signed out.' }).waitFor();
  await eventually(async () => (await devices.count()) === 1, { timeoutMs: 10000, what: 'only this device left' });
  assert.equal((await server.api('GET', '/me', { token: tokens.bob })).status, 401);
  tokens.bob = await server.token(BOB.username, bobPassword);
  assert.deepEqual(p.problems, []);
  await phone.context.close();
  await laptop.context.close();
});

test('a forgotten password: the admin’s reset link greets Bob, sets a new password, and works once', { timeout: 150000 }, async () => {
  const old = await newPage(browser, DESKTOP);
  await login(old.page, server.url, BOB.username, bobPassword);
  const link = await server.ok('POST', `/admin/users/${bobId}/reset-link`, { token: tokens.alice });
  assert.match(link.url, /\/reset\/[^/]+$/);
  const resetPath = new URL(link.url).pathname;

  const phone = await newPage(browser, PHONE);
  const p = phone.page;
  await p.goto(`${server.url}${resetPath}`);
  await p.getByRole('heading', { name: /^Hello, Bobby Okafor-Lee/ }).waitFor();
  await expectAccessible(p, 'reset link page, phone');
  await p.locator('#link-password').fill('short');
  await p.locator('#link-password-confirm').fill('short');
  await p.getByRole('button', { name: 'Set the new password and sign in' }).tap();
  await p.getByRole('alert').filter({ hasText: 'at least 10 characters' }).waitFor();
  await p.locator('#link-password').fill('bob-reset-password-9');
  await p.locator('#link-password-confirm').fill('bob-reset-password-8');
  await p.getByRole('button', { name: 'Set the new password and sign in' }).tap();
  await p.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
  await p.locator('#link-password-confirm').fill('bob-reset-password-9');
  await p.getByRole('button', { name: 'Set the new password and sign in' }).tap();
  // Signed in and in the app.
  await p.locator('.group-item', { hasText: 'Coaches' }).waitFor();
  assert.equal(new URL(p.url()).pathname, '/');
  bobPassword = 'bob-reset-password-9';
  // Every older session ended.
  await old.page.waitForURL(/\/login/, { timeout: 20000 });
  assert.equal((await server.api('GET', '/me', { token: tokens.bob })).status, 401);
  tokens.bob = await server.token(BOB.username, bobPassword);

  // The link worked once.
  const again = await newPage(browser, DESKTOP);
  await again.page.goto(`${server.url}${resetPath}`);
  await again.page.getByRole('heading', { name: 'This reset link does not work any more' }).waitFor();
  await expectAccessible(again.page, 'a used reset link, desktop');
  assert.deepEqual([...p.problems, ...again.page.problems], []);
  await old.context.close();
  await phone.context.close();
  await again.context.close();
});

test('a new account’s setup link, and the account deleted: its messages stay, from "Deleted user"', { timeout: 150000 }, async () => {
  const made = await server.ok('POST', '/admin/users', { token: tokens.alice, body: { username: 'carol', display_name: 'Carol Baptiste' } });
  assert.match(made.setup_url, /\/welcome\/[^/]+$/);
  const carol = await newPage(browser, DESKTOP);
  const c = carol.page;
  await c.goto(`${server.url}${new URL(made.setup_url).pathname}`);
  await c.getByRole('heading', { name: 'Hello, Carol Baptiste' }).waitFor();
  await expectAccessible(c, 'setup link page, desktop');
  await c.locator('#link-password').fill('carol-password-7');
  await c.locator('#link-password-confirm').fill('carol-password-7');
  await c.getByRole('button', { name: 'Set the password and sign in' }).click();
  await c.locator('.sidebar .group-list').waitFor();
  assert.equal(new URL(c.url()).pathname, '/');

  // Carol joins Coaches and speaks; then the admin deletes her account (messages kept).
  const carolToken = await server.token('carol', 'carol-password-7');
  const invite = await server.ok('POST', `/groups/${coaches.id}/invites`, { token: tokens.alice, body: { max_uses: 1 } });
  await server.ok('POST', `/invites/${invite.code}/accept`, { token: carolToken, body: {} });
  await post(server, carolToken, coaches.id, 'Carol was here');
  const alice = await newPage(browser, DESKTOP);
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await openGroup(alice.page, 'Coaches');
  await messageWith(alice.page, 'Carol was here').locator('.msg-author', { hasText: 'Carol Baptiste' }).waitFor();
  await server.ok('DELETE', `/admin/users/${made.id}?erase=false`, { token: tokens.alice });
  await c.waitForURL(/\/login/, { timeout: 20000 });
  await alice.page.reload();
  await messageWith(alice.page, 'Carol was here').locator('.msg-author', { hasText: 'Deleted user' }).waitFor();
  assert.equal(await alice.page.locator('.msg-author', { hasText: 'Carol Baptiste' }).count(), 0);
  assert.deepEqual([...c.problems, ...alice.page.problems], []);
  await carol.context.close();
  await alice.context.close();
});
