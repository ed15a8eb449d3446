// SPDX-License-Identifier: MIT
// Notifications in the browser: a Web Push delivered to the service worker through the
// DevTools protocol (ServiceWorker.deliverPushMessage; headless Chromium has no vendor push
// service) shows a notification per group, fetches the text of a minimal payload, removes a
// deleted message's notification, and its click opens the group at that message. Also the
// in-app notice of a message in another group, and the iOS "Add to Home Screen" hint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { expectAccessible } from './lib/axe.mjs';
import { launchBrowser, login, messageWith, newPage, openGroup, sendMessage } from './lib/browser.mjs';
import { PeerchatServer, eventually, list } from './lib/server.mjs';
import { ALICE, BOB, groupWith, post } from './lib/fixtures.mjs';

let server;
let browser;
let tokens;
let coaches;
let books;
let bobId;

before(async () => {
  server = await new PeerchatServer('notifications').init([ALICE, BOB]);
  tokens = { alice: await server.token(ALICE.username, ALICE.password), bob: await server.token(BOB.username, BOB.password) };
  bobId = (await server.ok('GET', '/me', { token: tokens.bob })).id;
  coaches = await groupWith(server, tokens.alice, { name: 'Coaches' }, [tokens.bob]);
  books = await groupWith(server, tokens.alice, { name: 'Book club' }, [tokens.bob]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

/** The service worker's registration id, from the DevTools protocol's ServiceWorker domain. */
async function registrationId(cdp, scopeURL) {
  const seen = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => seen.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  const reg = await eventually(() => seen.find((r) => r.scopeURL === scopeURL && !r.isDeleted),
    { timeoutMs: 10000, what: 'the service worker registration' });
  return reg.registrationId;
}

/** The notifications the service worker shows now, as plain data. */
function shownNotifications(worker) {
  return worker.evaluate(async () => (await self.registration.getNotifications())
    .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })));
}

/**
 * A function that delivers a push through the DevTools protocol and resolves once the worker's
 * push event has completed. ServiceWorker.deliverPushMessage answers before the event is even
 * dispatched and drops any failure (Chromium hands it a no-op callback), so the test waits on
 * the Background Services domain's record of the event instead, and looks at the notifications
 * only once the event is over (CI once saw none at all when it polled from the moment of
 * delivery). A push that was never dispatched is delivered again, at most twice; a push event
 * that ran and failed fails the test.
 */
async function pushDeliverer(cdp, origin, registrationId) {
  const seen = [];
  const statuses = [];
  cdp.on('BackgroundService.backgroundServiceEventReceived', ({ backgroundServiceEvent: e }) => {
    seen.push(e.eventName);
    if (e.eventName === 'Push event completed') statuses.push(e.eventMetadata.find((m) => m.key === 'Status')?.value);
  });
  await cdp.send('BackgroundService.startObserving', { service: 'pushMessaging' });
  await cdp.send('BackgroundService.setRecording', { shouldRecord: true, service: 'pushMessaging' });
  return async (payload) => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = statuses.length;
      await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(payload) });
      const status = await eventually(() => statuses[before], { timeoutMs: 10000, what: 'the push event to complete' })
        .catch(() => null);
      if (status === 'Success') return;
      if (status) throw new Error(`the push event ended with ${status}; push events so far: ${seen.join(', ')}`);
      console.log(`# push delivery ${attempt} of ${payload.type} ${payload.seq} never completed; events so far: ${seen.join(', ')}`);
    }
    throw new Error(`no push event completed in three deliveries; push events so far: ${seen.join(', ')}`);
  };
}

test('a push shows a notification, one per group; a deletion removes it; a click opens the message', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['notifications'], { origin: server.url });
  await login(page, server.url, BOB.username, BOB.password);
  await page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: 15000 });
  assert.equal(await page.evaluate(() => Notification.permission), 'granted');

  // The app is closed: the DevTools session lives on a blank page of the same profile.
  const blank = await context.newPage();
  const cdp = await context.newCDPSession(blank);
  const regId = await registrationId(cdp, `${server.url}/`);
  await page.close();
  const worker = context.serviceWorkers()[0];
  assert.ok(worker, 'the service worker runs');
  // The worker shows nothing while a window of the app is in front: wait until it knows none is.
  await eventually(() => worker.evaluate(async () => (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).length === 0),
    { timeoutMs: 10000, what: 'the closed page to leave the worker’s clients' });
  const deliver = await pushDeliverer(cdp, server.url, regId);

  const first = await post(server, tokens.alice, coaches.id, 'Is the room booked for Thursday?');
  await deliver({
    type: 'message', group_id: coaches.id, group_name: 'Coaches', seq: first.seq,
    sender: { user_id: 1, display_name: 'Alice Martin' }, body: first.body, mention: false, truncated: false,
  });
  let shown = await eventually(async () => { const l = await shownNotifications(worker); return l.length ? l : null; },
    { timeoutMs: 20000, what: 'a notification' }).catch(async (err) => {
    // Say what the worker saw, so a failure here can be told apart from a slow machine.
    const clients = await worker.evaluate(async () => (await self.clients.matchAll({ type: 'window', includeUncontrolled: true }))
      .map((c) => `${c.url} ${c.visibilityState} focused=${c.focused}`)).catch((e) => [`worker gone: ${e.message}`]);
    throw new Error(`${err.message}; window clients: ${JSON.stringify(clients)}`);
  });
  assert.deepEqual(shown, [{
    title: 'Coaches', body: 'Alice Martin: Is the room booked for Thursday?', tag: `group-${coaches.id}`,
    data: { group_id: coaches.id, seq: first.seq, mention: false },
  }]);

  // A minimal payload (--push-content minimal) carries ids only: the text comes over the API.
  const second = await post(server, tokens.alice, coaches.id, 'Bring the flip chart, please');
  await deliver({ type: 'message', group_id: coaches.id, seq: second.seq, mention: false });
  shown = await eventually(async () => {
    const l = await shownNotifications(worker);
    return l.length === 1 && l[0].data.seq === second.seq ? l : null;
  }, { timeoutMs: 10000, what: 'the minimal push to replace the first notification of the group' });
  assert.equal(shown[0].title, 'Coaches');
  assert.equal(shown[0].body, 'Alice Martin: Bring the flip chart, please');

  // Another group gets its own notification.
  const third = await post(server, tokens.alice, books.id, 'Chapter 4 by Sunday');
  await deliver({
    type: 'message', group_id: books.id, group_name: 'Book club', seq: third.seq,
    sender: { user_id: 1, display_name: 'Alice Martin' }, body: third.body, mention: true, truncated: false,
  });
  await eventually(async () => (await shownNotifications(worker)).length === 2, { timeoutMs: 10000, what: 'two notifications' });

  // The message is deleted: its notification goes; the other group's stays.
  await deliver({ type: 'message_deleted', group_id: coaches.id, seq: second.seq });
  shown = await eventually(async () => { const l = await shownNotifications(worker); return l.length === 1 ? l : null; },
    { timeoutMs: 10000, what: 'the deleted message’s notification to close' });
  assert.equal(shown[0].tag, `group-${books.id}`);

  // The click handler's path, run in the worker: the open app shows the group at the message.
  const app = await context.newPage();
  const problems = [];
  app.on('pageerror', (err) => problems.push(err.message));
  await app.goto(`${server.url}/`);
  await app.locator('.sidebar .group-list .group-item').first().waitFor();
  await worker.evaluate((d) => openFromNotification(d), { group_id: coaches.id, seq: first.seq });
  await app.locator('#conv-title', { hasText: 'Coaches' }).waitFor({ timeout: 10000 });
  await messageWith(app, 'Is the room booked').and(app.locator('.flash')).waitFor({ timeout: 10000 });

  // The link a new window would open (/g/<id>?at=<seq>) does the same.
  await app.goto(`${server.url}/g/${books.id}?at=${third.seq}`);
  await messageWith(app, 'Chapter 4 by Sunday').and(app.locator('.flash')).waitFor({ timeout: 10000 });
  assert.equal(new URL(app.url()).search, '', 'the ?at= is dropped from the address');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a message in another group shows an in-app notice that opens it', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await login(page, server.url, BOB.username, BOB.password);
  await openGroup(page, 'Coaches');
  await page.locator('.conn-online').waitFor({ state: 'attached' });
  await post(server, tokens.alice, books.id, 'Who has the spare copy?');
  const notice = page.locator('#notices .notice', { hasText: 'Who has the spare copy?' });
  await notice.waitFor({ timeout: 10000 });
  assert.match(await notice.innerText(), /Book club[\s\S]*Alice Martin: Who has the spare copy\?/);
  await expectAccessible(page, 'conversation with an in-app notice, desktop');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page, 'conversation with an in-app notice, dark theme');
  await page.emulateMedia({ colorScheme: 'light' });
  // A message in the group in front shows none.
  await post(server, tokens.alice, coaches.id, 'Same room as last week');
  await messageWith(page, 'Same room as last week').waitFor();
  assert.equal(await page.locator('#notices .notice', { hasText: 'Same room' }).count(), 0);
  await notice.getByRole('button', { name: /^New message in Book club/ }).click();
  await page.locator('#conv-title', { hasText: 'Book club' }).waitFor();
  await messageWith(page, 'Who has the spare copy?').waitFor();
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('iOS Safari, not installed: a one-time hint about Add to Home Screen', { timeout: 120000 }, async () => {
  const { context, page } = await newPage(browser, {
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  });
  await login(page, server.url, BOB.username, BOB.password);
  const hint = page.getByRole('region', { name: 'Get notifications on this device' });
  await hint.waitFor();
  assert.match(await hint.innerText(), /Add to Home Screen/);
  assert.match(await hint.innerText(), /16\.4/);
  await expectAccessible(page, 'group list with the iOS Home Screen hint, phone');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page, 'group list with the iOS Home Screen hint, phone, dark theme');
  await page.emulateMedia({ colorScheme: 'light' });
  await hint.getByRole('button', { name: 'Dismiss the Home Screen hint' }).tap();
  await hint.waitFor({ state: 'detached' });
  await page.reload();
  await page.locator('.sidebar .group-item').first().waitFor();
  assert.equal(await page.locator('.ios-hint').count(), 0, 'dismissed for good');
  // The same on a desktop browser: no hint at all.
  const desktop = await newPage(browser);
  await login(desktop.page, server.url, BOB.username, BOB.password);
  assert.equal(await desktop.page.locator('.ios-hint').count(), 0);
  assert.deepEqual(page.problems, []);
  await desktop.context.close();
  await context.close();
});

// Headless Chromium has no vendor push service, so pushManager.subscribe() always fails there.
// This stands in for it alone: it checks the key it is given and answers with a subscription
// like a browser's (a real P-256 key, 16 auth bytes). Everything else is the real app and server.
function fakePushManager({ p256dh, auth }) {
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  let current = null;
  window.pushLog = { keys: [], unsubscribed: 0 };
  PushManager.prototype.getSubscription = async () => current;
  PushManager.prototype.subscribe = async (options) => {
    if (!options.userVisibleOnly) throw new Error('userVisibleOnly is required');
    const key = new Uint8Array(options.applicationServerKey).buffer;
    window.pushLog.keys.push(b64url(key));
    current = {
      endpoint: 'https://push.example.net/send/e2e-device',
      options: { userVisibleOnly: true, applicationServerKey: key },
      toJSON: () => ({ endpoint: current.endpoint, expirationTime: null, keys: { p256dh, auth } }),
      unsubscribe: async () => { window.pushLog.unsubscribed += 1; current = null; return true; },
    };
    return current;
  };
}

test('after the first message the app offers notifications; Turn on subscribes with the server’s key; signing out unsubscribes', { timeout: 120000 }, async () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  const { context, page } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await context.addInitScript(fakePushManager, keys);
  await login(page, server.url, BOB.username, BOB.password);
  await openGroup(page, 'Coaches');
  assert.equal(await page.evaluate(() => Notification.permission), 'default');
  const offer = page.getByRole('region', { name: 'Get a notification when someone answers?' });
  assert.equal(await offer.count(), 0, 'nothing is asked on load');

  await sendMessage(page, 'Morning! I will be five minutes late');
  await offer.waitFor();
  await expectAccessible(page, 'conversation with the notifications offer, desktop');
  // The person answers the browser's prompt with "Allow" (granted here, as the prompt is the browser's).
  await context.grantPermissions(['notifications'], { origin: server.url });
  await offer.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('#toasts', { hasText: 'Notifications are on for this device.' }).waitFor();
  await offer.waitFor({ state: 'detached' });

  const { vapid_public_key: vapid } = await server.ok('GET', '/push/key');
  assert.deepEqual(await page.evaluate(() => window.pushLog.keys), [vapid], 'subscribed with the server’s VAPID key');
  const subs = list(await server.ok('GET', '/push/subscriptions', { token: tokens.bob }), 'subscriptions');
  const mine = subs.find((x) => x.endpoint === 'https://push.example.net/send/e2e-device');
  assert.ok(mine, `the server keeps the subscription: ${JSON.stringify(subs)}`);
  assert.equal(mine.device, 'Chrome on Linux');

  // Asked once: the next message offers nothing.
  await sendMessage(page, 'On my way');
  await messageWith(page, 'On my way').waitFor();
  assert.equal(await offer.count(), 0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#login-username').waitFor();
  await eventually(() => page.evaluate(() => window.pushLog.unsubscribed === 1), { timeoutMs: 5000, what: 'the browser to unsubscribe' });
  const after = list(await server.ok('GET', '/push/subscriptions', { token: tokens.bob }), 'subscriptions');
  assert.equal(after.some((x) => x.endpoint === 'https://push.example.net/send/e2e-device'), false, 'the server forgot it');
  assert.deepEqual(page.problems, []);
  await context.close();
});
