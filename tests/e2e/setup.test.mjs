// SPDX-License-Identifier: MIT
// First run: a server with no admin logs a one-time link; opening it creates the admin, who
// lands in the app signed in and can make a group; the same link then explains it is spent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, messageWith, newPage, screenshot, sendMessage, sessionCookie, storageHolding } from './lib/browser.mjs';
import { PeerchatServer, SCREENSHOTS, list } from './lib/server.mjs';

const ADMIN = { username: 'morgan', display_name: 'Morgan Lee', password: 'morgan-password-1' };
const LINK_LINE = /first run: create the admin account at (\S+\/setup\/([^\s/]+))/;

let server;
let browser;
let link;
let code;

before(async () => {
  server = await new PeerchatServer('setup').init([]);  // no users: the server has no admin
  const m = await server.waitForOutput(LINK_LINE, { timeoutMs: 20000 });
  [, link, code] = m;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('the setup link from the log creates the admin, who lands in the app and makes a group', { timeout: 120000 }, async () => {
  assert.equal(link, `${server.url}/setup/${code}`);
  assert.equal((await server.api('GET', `/setup/${code}`)).status, 200);

  // The form on a phone (looking does not use the link).
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await phone.page.goto(link);
  await phone.page.locator('#setup-username').waitFor();
  await expectAccessible(phone.page, 'setup form, phone');
  await phone.context.close();

  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await page.goto(link);
  await page.getByRole('heading', { name: 'Create the admin account for this server' }).waitFor();
  await page.getByText(/This link expires in \d+ min and works once/).waitFor();
  // Every field has a label; the username field has focus and the form works from the keyboard.
  assert.equal(await page.evaluate(() => [...document.querySelectorAll('form input')].filter((i) => !i.labels?.length).length), 0);
  await page.getByLabel('Confirm password').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'setup-username');
  await page.keyboard.type(ADMIN.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN.display_name);
  await page.locator('#setup-password').fill(ADMIN.password);
  await page.locator('#setup-password-confirm').fill('something-else-1');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await page.getByRole('alert').filter({ hasText: 'The two passwords do not match.' }).waitFor();
  await expectAccessible(page, 'setup form with an error, desktop');
  assert.equal((await server.api('GET', `/setup/${code}`)).status, 200, 'a mismatch must not use the link');

  await page.locator('#setup-password-confirm').fill(ADMIN.password);
  await screenshot(page, path.join(SCREENSHOTS, 'setup.png'));
  await page.locator('#setup-password-confirm').press('Enter');

  // In the app, signed in as the new admin, with no groups yet and the "New group" control.
  await page.locator('.sidebar .group-list').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await page.locator('.me-name', { hasText: ADMIN.display_name }).waitFor();
  await page.locator('.me-username', { hasText: `@${ADMIN.username}` }).waitFor();
  await page.getByText('You are not in any group yet.').waitFor();
  const newGroup = page.getByRole('button', { name: 'New group' });
  await newGroup.waitFor({ state: 'visible' });
  await expectAccessible(page, 'app with no groups yet, desktop');

  // The session is in the HttpOnly cookie as after a login (never in storage), and an admin's.
  const token = (await sessionCookie(page))?.value;
  assert.ok(token, 'the setup signs in with a session cookie');
  assert.deepEqual(await storageHolding(page, token), []);
  const me = await server.ok('GET', '/me', { token });
  assert.equal(me.username, ADMIN.username);
  assert.equal(me.display_name, ADMIN.display_name);
  assert.equal(me.is_admin, true);

  await newGroup.click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Name').fill('Book club');
  await expectAccessible(page, 'new group dialog, desktop');
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await page.locator('#conv-title', { hasText: 'Book club' }).waitFor();
  await sendMessage(page, 'Welcome, everyone!');
  await messageWith(page, 'Welcome, everyone!').waitFor();
  const groups = list(await server.ok('GET', '/groups', { token }), 'groups');
  assert.deepEqual(groups.map((g) => [g.name, g.role]), [['Book club', 'owner']]);

  // The link is spent: the API says so, and so does the page (with a way to sign in).
  assert.equal((await server.api('GET', `/setup/${code}`)).status, 404);
  await page.goto(link);
  await page.getByRole('heading', { name: 'This setup link is not valid' }).waitFor();
  await page.getByText(/used already or have expired/).waitFor();
  assert.equal(await page.locator('#setup-username').count(), 0);
  await expectAccessible(page, 'spent setup link, desktop');
  assert.deepEqual([...page.problems, ...page.dialogs], []);
  await context.close();
});

test('a used or unknown setup link says so and offers to sign in', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser);
  await page.goto(link);
  await page.getByRole('heading', { name: 'This setup link is not valid' }).waitFor();
  const signIn = page.getByRole('link', { name: 'Sign in' });
  await signIn.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  await expectAccessible(page, 'sign-in page, desktop');

  await page.goto(`${server.url}/setup/not-a-real-code`);
  await page.getByRole('heading', { name: 'This setup link is not valid' }).waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});
