// SPDX-License-Identifier: MIT
// The server admin runs the server's people from the browser (People screen): adds a person
// with a one-time setup link that they use in their own browser, disables someone (their open
// page is signed out), cannot remove the last admin's rights, makes a reset link that is used,
// deletes a person erasing their messages from another member's screen; a non-admin sees no
// People entry; an owner exports a group's history; a person deletes their own account.
// axe-core on every new screen, desktop and phone layouts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup } from './lib/browser.mjs';
import { PeerchatServer, eventually } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const CAROL_PASSWORD = 'carol-password-1';
const BOB_NEW_PASSWORD = 'bob-new-password-7';

let server;
let browser;
let tokens;
let coaches;
let alice;
let bob;
let bobId;

before(async () => {
  server = await new PeerchatServer('admin').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  bobId = (await server.ok('GET', '/me', { token: tokens.bob })).id;
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  browser = await launchBrowser();
  alice = await newPage(browser, DESKTOP);
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  bob = await newPage(browser, DESKTOP);
  await login(bob.page, server.url, BOB.username, BOB.password);
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

async function openPeople(page) {
  await page.getByRole('button', { name: 'People on this server' }).click();
  const dialog = page.getByRole('dialog', { name: 'People' });
  await dialog.locator('.people-row').first().waitFor();
  return dialog;
}

function rowOf(dialog, username) {
  return dialog.locator('.people-row', { hasText: `@${username} ` });
}

/** Sets a password on a reset or setup link's page and waits until the app shows the groups. */
async function useLink(page, url, password) {
  await page.goto(url);
  await page.getByRole('heading', { name: /^Hello, / }).waitFor();
  await page.locator('#link-password').fill(password);   // account-link.js (the page of "Your account")
  await page.locator('#link-password-confirm').fill(password);
  await page.getByRole('button', { name: /^Set the (new )?password and sign in$/ }).click();
  await page.locator('.sidebar .group-list').waitFor();
}

test('a member who is not a server admin sees no People entry and no New group', { timeout: 60000 }, async () => {
  const b = bob.page;
  await b.locator('.sidebar-foot .me-name', { hasText: BOB.display_name }).waitFor();
  assert.equal(await b.getByRole('button', { name: 'People on this server' }).count(), 0);
  assert.equal(await b.getByRole('button', { name: 'New group' }).isVisible(), false, 'admins only create groups by default');
  const me = await server.ok('GET', '/me', { token: tokens.bob });
  assert.equal(me.can_create_groups, false);
  await alice.page.getByRole('button', { name: 'People on this server' }).waitFor();
  assert.equal(await alice.page.getByRole('button', { name: 'New group' }).isVisible(), true);
  assert.deepEqual(b.problems, []);
});

test('the admin adds a person with a setup link, and they use it in their own browser', { timeout: 120000 }, async () => {
  const a = alice.page;
  const dialog = await openPeople(a);
  assert.match(await rowOf(dialog, 'alice').innerText(), /Alice Martin[\s\S]*Admin/);
  await expectAccessible(a, 'People, desktop');
  await dialog.getByRole('button', { name: 'Add a person' }).click();
  await dialog.getByLabel('Username').fill('carol');
  await dialog.getByLabel('Display name').fill('Carol Diaz');
  assert.equal(await dialog.getByLabel('Make a setup link: they choose their own password').isChecked(), true);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  const linkInput = dialog.getByRole('textbox', { name: 'Setup link for Carol Diaz' });
  await linkInput.waitFor();
  assert.match(await dialog.locator('.people-created').innerText(), /works once/);
  await dialog.locator('.people-created').getByRole('button', { name: 'Copy' }).waitFor();
  await expectAccessible(a, 'People, a setup link made, desktop');
  const url = await linkInput.inputValue();
  assert.ok(url.startsWith(server.url), url);
  await rowOf(dialog, 'carol').filter({ hasText: 'Never signed in' }).waitFor();

  // The search narrows the list as one types.
  await dialog.getByLabel('Search people').fill('caro');
  await eventually(async () => (await dialog.locator('.people-row').count()) === 1, { what: 'the search to show only Carol' });
  await dialog.getByLabel('Search people').fill('nobody-like-this');
  await dialog.getByRole('status').filter({ hasText: 'Nobody matches' }).waitFor();
  await dialog.getByLabel('Search people').fill('');
  await eventually(async () => (await dialog.locator('.people-row').count()) === 3, { what: 'everyone listed again' });
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  const carol = await newPage(browser, DESKTOP);
  try {
    await useLink(carol.page, url, CAROL_PASSWORD);
    await carol.page.locator('.sidebar-foot .me-name', { hasText: 'Carol Diaz' }).waitFor();
    assert.deepEqual(carol.page.problems, []);
  } finally {
    await carol.context.close();
  }
  // The link worked once.
  const again = await server.api('POST', `/account/reset/${new URL(url).pathname.split('/').pop()}`, { body: { new_password: 'another-password-9' } });
  assert.equal(again.status, 404);
  assert.deepEqual(a.problems, []);
});

test('disabling a person signs their open browser out at once; enabling lets them back in', { timeout: 120000 }, async () => {
  const a = alice.page;
  const b = bob.page;
  await openGroup(b, 'Coaches');
  const dialog = await openPeople(a);
  await rowOf(dialog, 'bob').getByRole('button', { name: 'Disable Bob Okafor' }).click();
  const confirm = a.getByRole('dialog', { name: 'Disable Bob Okafor?' });
  assert.match(await confirm.innerText(), /signed out on all their devices/);
  await expectAccessible(a, 'People, confirm disabling, desktop');
  await confirm.getByRole('button', { name: 'Disable' }).click();
  await rowOf(dialog, 'bob').locator('.people-disabled', { hasText: 'Disabled' }).waitFor();
  await b.waitForURL(/\/login/, { timeout: 20000 });
  assert.notEqual((await server.api('POST', '/sessions', { body: { username: BOB.username, password: BOB.password } })).status, 201);

  await rowOf(dialog, 'bob').getByRole('button', { name: 'Enable Bob Okafor' }).click();
  await rowOf(dialog, 'bob').getByRole('button', { name: 'Disable Bob Okafor' }).waitFor();
  assert.equal(await rowOf(dialog, 'bob').locator('.people-disabled').count(), 0);
  tokens.bob = await server.token(BOB.username, BOB.password);
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(a.problems, []);
});

test('the last server admin cannot remove their own admin rights: the server’s reason shows', { timeout: 60000 }, async () => {
  const a = alice.page;
  const dialog = await openPeople(a);
  await rowOf(dialog, 'alice').getByRole('button', { name: 'Remove admin from Alice Martin' }).click();
  const alert = rowOf(dialog, 'alice').getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /^Remove admin: .*admin/i);
  assert.equal((await server.ok('GET', '/me', { token: tokens.alice })).is_admin, true);
  await rowOf(dialog, 'alice').locator('.role-badge', { hasText: 'Admin' }).waitFor();
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('a reset link is made with its expiry and the person sets a new password through it', { timeout: 120000 }, async () => {
  const a = alice.page;
  const dialog = await openPeople(a);
  await rowOf(dialog, 'bob').getByRole('button', { name: 'Reset link for Bob Okafor' }).click();
  const input = dialog.getByRole('textbox', { name: 'Password reset link for Bob Okafor' });
  await input.waitFor();
  const note = await rowOf(dialog, 'bob').locator('.people-outcome').innerText();
  assert.match(note, /works once and expires/);
  await expectAccessible(a, 'People, a reset link made, desktop');
  const url = await input.inputValue();
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await useLink(bob.page, url, BOB_NEW_PASSWORD);
  assert.equal((await server.api('POST', '/sessions', { body: { username: BOB.username, password: BOB.password } })).status, 401);
  tokens.bob = await server.token(BOB.username, BOB_NEW_PASSWORD);
});

test('deleting a person and erasing their messages removes them from another member’s screen', { timeout: 120000 }, async () => {
  const a = alice.page;
  const b = bob.page;
  const carolToken = await server.token('carol', CAROL_PASSWORD);
  const invite = await server.ok('POST', `/groups/${coaches.id}/invites`, { token: tokens.alice, body: { max_uses: 1 } });
  await server.ok('POST', `/invites/${invite.code}/accept`, { token: carolToken, body: {} });
  await post(server, carolToken, coaches.id, 'Carol’s plan for the spring cohort');
  await openGroup(b, 'Coaches');
  await messageWith(b, 'Carol’s plan for the spring cohort').waitFor();

  const dialog = await openPeople(a);
  await rowOf(dialog, 'carol').getByRole('button', { name: 'Delete Carol Diaz' }).click();
  const ask = a.getByRole('dialog', { name: 'Delete Carol Diaz?' });
  assert.equal(await ask.getByLabel('Keep them, shown as from “Deleted user”').isChecked(), true, 'keeping is the default');
  await expectAccessible(a, 'People, delete with a choice, desktop');
  await ask.getByLabel('Erase them for everyone').check();
  await ask.getByRole('button', { name: 'Delete' }).click();
  await ask.waitFor({ state: 'detached' });
  await rowOf(dialog, 'carol').waitFor({ state: 'detached' });
  await dialog.getByRole('status').filter({ hasText: 'Carol Diaz was deleted and their messages erased.' }).waitFor();
  await eventually(async () => (await messageWith(b, 'spring cohort').count()) === 0,
    { timeoutMs: 20000, what: 'Carol’s message to leave Bob’s screen' });
  assert.equal((await server.api('POST', '/sessions', { body: { username: 'carol', password: CAROL_PASSWORD } })).status, 401);
  await a.keyboard.press('Escape');
  assert.deepEqual(a.problems, []);
  assert.deepEqual(b.problems, []);
});

test('an owner exports the group’s history as JSON and HTML; a member sees no export', { timeout: 120000 }, async () => {
  const a = alice.page;
  await post(server, tokens.bob, coaches.id, 'Something worth keeping');
  await openGroup(a, 'Coaches');
  await a.getByRole('button', { name: 'Group details and members' }).click();
  const json = a.getByRole('link', { name: /^Export history as JSON/ });
  await json.waitFor();
  await expectAccessible(a, 'group details with export, desktop');
  const href = await json.getAttribute('href');
  assert.equal(href, `/api/v1/groups/${coaches.id}/export?format=json`);
  const got = await a.evaluate(async (url) => {
    const res = await fetch(url);
    const text = await res.text();
    try { JSON.parse(text); return { status: res.status, parsed: true, text }; } catch { return { status: res.status, parsed: false, text }; }
  }, href);
  assert.equal(got.status, 200);
  assert.ok(got.parsed, `the export is JSON: ${got.text.slice(0, 200)}`);
  assert.match(got.text, /Something worth keeping/);
  const html = await a.evaluate(async (url) => {
    const res = await fetch(url);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }, await a.getByRole('link', { name: /^Export history as HTML/ }).getAttribute('href'));
  assert.equal(html.status, 200);
  assert.match(html.type, /text\/html/);
  assert.match(html.text, /Something worth keeping/);
  await a.getByRole('button', { name: 'Close group details' }).click();

  const b = bob.page;
  await openGroup(b, 'Coaches');
  await b.getByRole('button', { name: 'Group details and members' }).click();
  await b.getByRole('heading', { name: 'Members' }).waitFor();
  assert.equal(await b.getByRole('link', { name: /^Export history/ }).count(), 0);
  await b.getByRole('button', { name: 'Close group details' }).click();
});

test('People on a phone: the list, a person’s actions and the create form', { timeout: 120000 }, async () => {
  const phone = await newPage(browser, PHONE);
  try {
    const p = phone.page;
    await login(p, server.url, ALICE.username, ALICE.password);
    const dialog = await openPeople(p);
    await expectAccessible(p, 'People, phone');
    await dialog.getByRole('button', { name: 'Add a person' }).tap();
    await dialog.getByLabel('Set a password now').check();
    await dialog.getByLabel('Username').fill('dave');
    await dialog.getByLabel('Display name').fill('Dave Rossi');
    await dialog.getByLabel(/^Password/).fill('dave-password-1');
    await expectAccessible(p, 'People, adding a person with a password, phone');
    await dialog.getByRole('button', { name: 'Create account' }).tap();
    await dialog.getByRole('status').filter({ hasText: 'Dave Rossi can sign in now' }).waitFor();
    await rowOf(dialog, 'dave').waitFor();
    assert.equal((await server.api('POST', '/sessions', { body: { username: 'dave', password: 'dave-password-1' } })).status, 201);
    assert.deepEqual(p.problems, []);
  } finally {
    await phone.context.close();
  }
});

test('a person deletes their own account with their password', { timeout: 120000 }, async () => {
  const dave = await newPage(browser, PHONE);
  try {
    const p = dave.page;
    await login(p, server.url, 'dave', 'dave-password-1');
    await p.getByRole('button', { name: 'Your account' }).tap();
    const account = p.getByRole('dialog', { name: 'Your account' });
    await account.getByRole('button', { name: 'Delete my account…' }).tap();
    const dialog = p.getByRole('dialog', { name: 'Delete your account?' });
    assert.match(await dialog.innerText(), /signed out on every device[\s\S]*“Deleted user”/);
    await expectAccessible(p, 'delete my account, phone');
    await dialog.getByLabel('Your password').fill('not-my-password');
    await dialog.getByRole('button', { name: 'Delete my account' }).tap();
    await dialog.getByRole('alert').filter({ hasText: 'That password is not right.' }).waitFor();
    assert.equal((await server.api('POST', '/sessions', { body: { username: 'dave', password: 'dave-password-1' } })).status, 201);
    await dialog.getByLabel('Your password').fill('dave-password-1');
    await dialog.getByRole('button', { name: 'Delete my account' }).tap();
    await p.waitForURL(/\/login/);
    await p.getByRole('status').filter({ hasText: 'Your account was deleted.' }).waitFor();
    assert.equal((await server.api('POST', '/sessions', { body: { username: 'dave', password: 'dave-password-1' } })).status, 401);
    const people = (await server.ok('GET', '/admin/users?q=dave', { token: tokens.alice })).users;
    assert.equal(people.length, 0, 'a deleted account is no longer listed');
    assert.deepEqual(p.problems, []);
  } finally {
    await dave.context.close();
  }
});

test('with --group-creation everyone a member sees New group and creates one', { timeout: 120000 }, async () => {
  const open = await new PeerchatServer('admin-everyone', { serveArgs: ['--group-creation', 'everyone'] }).init([ALICE, BOB]);
  const member = await newPage(browser, DESKTOP);
  try {
    const p = member.page;
    await login(p, open.url, BOB.username, BOB.password);
    assert.equal((await open.ok('GET', '/me', { token: await open.token(BOB.username, BOB.password) })).can_create_groups, true);
    await p.getByRole('button', { name: 'New group' }).click();
    const dialog = p.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Name').fill('Reading circle');
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await p.locator('#conv-title', { hasText: 'Reading circle' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'People on this server' }).count(), 0, 'still no People for a non-admin');
    assert.deepEqual(p.problems, []);
  } finally {
    await member.context.close();
    await open.destroy();
  }
});
