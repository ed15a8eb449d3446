// SPDX-License-Identifier: MIT
// Notification settings as a person changes them: a group's level and mute from its bell
// menu, quiet hours from the notification settings (both stored by the server and shown
// again after a reload), and the Mentions view that opens the message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup } from './lib/browser.mjs';
import { PeerchatServer, eventually, list } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

let server;
let browser;
let tokens;
let coaches;
let alice;

before(async () => {
  server = await new PeerchatServer('notify-settings').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  browser = await launchBrowser();
  alice = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await openGroup(alice.page, 'Coaches');
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

async function notifyOf(groupId) {
  const groups = list(await server.ok('GET', '/groups', { token: tokens.alice }), 'groups');
  return groups.find((g) => g.id === groupId)?.notify;
}

test('a group’s level and mute: set from its menu, stored, shown after a reload, unmuted', { timeout: 120000 }, async () => {
  const a = alice.page;
  assert.deepEqual(await notifyOf(coaches.id), { level: 'all', muted_until: null }, 'the default');
  await a.getByRole('button', { name: /^Notifications for this group: every message/ }).click();
  let dialog = a.getByRole('dialog', { name: 'Notifications for “Coaches”' });
  await dialog.waitFor();
  await expectAccessible(a, 'a group’s notification menu, desktop');
  await a.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(a, 'a group’s notification menu, dark theme');
  await a.emulateMedia({ colorScheme: 'light' });
  await dialog.getByRole('radio', { name: 'Only mentions of me and questions' }).check();
  await dialog.getByLabel('Mute').selectOption({ label: 'For 8 hours' });
  const before8h = Date.now();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const stored = await notifyOf(coaches.id);
  assert.equal(stored.level, 'mentions');
  assert.ok(Math.abs(stored.muted_until - (before8h + 8 * 3600 * 1000)) < 60000, `muted for 8 h (${stored.muted_until - before8h} ms)`);

  await a.reload();
  await a.locator('#conv-title', { hasText: 'Coaches' }).waitFor();
  await a.getByRole('button', { name: /^Notifications for this group: muted until/ }).click();
  dialog = a.getByRole('dialog', { name: 'Notifications for “Coaches”' });
  assert.equal(await dialog.getByRole('radio', { name: 'Only mentions of me and questions' }).isChecked(), true);
  assert.match(await dialog.getByLabel('Mute').locator('option:checked').innerText(), /^Muted until/);
  await dialog.getByLabel('Mute').selectOption({ label: 'Unmute' });
  await dialog.getByRole('radio', { name: 'Nothing' }).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(await notifyOf(coaches.id), { level: 'none', muted_until: null });
  await a.getByRole('button', { name: 'Notifications for this group: off' }).waitFor();

  await a.getByRole('button', { name: 'Notifications for this group: off' }).click();
  dialog = a.getByRole('dialog', { name: 'Notifications for “Coaches”' });
  await dialog.getByRole('radio', { name: 'Every message' }).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(await notifyOf(coaches.id), { level: 'all', muted_until: null });
  assert.deepEqual(a.problems, []);
});

test('quiet hours: set with this device’s time zone, stored, shown again, turned off', { timeout: 120000 }, async () => {
  const a = alice.page;
  const tz = await a.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  await a.getByRole('button', { name: 'Notification settings' }).click();
  let dialog = a.getByRole('dialog', { name: 'Notification settings' });
  await dialog.getByLabel('Quiet hours every day').check();
  assert.equal(await dialog.getByLabel('Time zone').inputValue(), tz);
  await expectAccessible(a, 'notification settings with quiet hours, desktop');
  await dialog.getByLabel('From').fill('22:30');
  await dialog.getByLabel('Until').fill('06:45');
  await dialog.getByLabel('Mentions of me still notify').uncheck();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const me = await server.ok('GET', '/me', { token: tokens.alice });
  assert.deepEqual(me.quiet_hours, { start: '22:30', end: '06:45', tz, allow_mentions: false });

  await a.reload();
  await a.locator('.sidebar .group-item').first().waitFor();
  await a.getByRole('button', { name: 'Notification settings' }).click();
  dialog = a.getByRole('dialog', { name: 'Notification settings' });
  assert.equal(await dialog.getByLabel('Quiet hours every day').isChecked(), true);
  assert.equal(await dialog.getByLabel('From').inputValue(), '22:30');
  assert.equal(await dialog.getByLabel('Until').inputValue(), '06:45');
  assert.equal(await dialog.getByLabel('Mentions of me still notify').isChecked(), false);

  // A time zone that does not exist is refused before it reaches the server.
  await dialog.getByLabel('Time zone').fill('Mars/Olympus');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'time zone' }).waitFor();

  await dialog.getByLabel('Quiet hours every day').uncheck();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await server.ok('GET', '/me', { token: tokens.alice })).quiet_hours, null);
  assert.deepEqual(a.problems, []);
});

test('the Mentions view lists messages that mention you and opens them', { timeout: 120000 }, async () => {
  const a = alice.page;
  await post(server, tokens.bob, coaches.id, '@alice can you share the slides?');
  await post(server, tokens.bob, coaches.id, 'Unrelated chatter');
  await a.getByRole('button', { name: 'Mentions of you' }).click();
  const dialog = a.getByRole('dialog', { name: 'Mentions of you' });
  const hit = dialog.locator('.mention-result', { hasText: 'can you share the slides?' });
  await hit.waitFor();
  await expectAccessible(a, 'the Mentions view, desktop');
  assert.equal(await dialog.locator('.mention-result', { hasText: 'Unrelated chatter' }).count(), 0);
  assert.match(await hit.innerText(), /Coaches[\s\S]*Bob Okafor/);
  await hit.click();
  await dialog.waitFor({ state: 'detached' });
  await messageWith(a, 'can you share the slides?').and(a.locator('.flash')).waitFor();
  await eventually(async () => (await a.locator('.msg.mentions-me', { hasText: 'share the slides' }).count()) === 1,
    { timeoutMs: 5000, what: 'the message to be marked as mentioning Alice' });
  assert.deepEqual(a.problems, []);
});
