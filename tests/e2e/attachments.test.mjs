// SPDX-License-Identifier: MIT
// Attachments end to end (issue 12): two members of one group. Alice attaches an image and a
// PDF with the Attach button; Bob sees the thumbnail (really decoded) and the file card, and
// opens the viewer. A pasted image, a voice note from Chromium's fake microphone (played on
// Bob's side), and a file sent while offline that goes out once, when the network is back.
// axe-core checks every new screen in desktop and phone layouts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectAccessible } from './lib/axe.mjs';
import { FAKE_MEDIA, launchBrowser, login, messageWith, newPage, openGroup, sendMessage } from './lib/browser.mjs';
import { eventually, PeerchatServer } from './lib/server.mjs';
import { ALICE, BOB, groupWith, messagesOf } from './lib/fixtures.mjs';

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// A tiny but well-formed one-page PDF, written by hand.
const PDF = Buffer.from([
  '%PDF-1.4',
  '1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj',
  '2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj',
  '3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj',
  'trailer <</Root 1 0 R>>',
  '%%EOF', '',
].join('\n'));

let server;
let browser;
let group;
let alice;
let bob;

/** A PNG drawn on a canvas in the page: a coloured rectangle with a diagonal, `w`×`h` pixels. */
async function pngFrom(page, w, h, colour) {
  const b64 = await page.evaluate(([width, height, fill]) => {
    const c = document.createElement('canvas');
    c.width = width; c.height = height;
    const g = c.getContext('2d');
    g.fillStyle = fill; g.fillRect(0, 0, width, height);
    g.strokeStyle = '#fff'; g.lineWidth = 8; g.beginPath(); g.moveTo(0, 0); g.lineTo(width, height); g.stroke();
    return c.toDataURL('image/png').split(',')[1];
  }, [w, h, colour]);
  return Buffer.from(b64, 'base64');
}

/** Picks files through the Attach button's file chooser, as a person would. */
async function attachFiles(page, files) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Attach files' }).click(),
  ]);
  assert.equal(chooser.isMultiple(), true, 'several files can be picked at once');
  await chooser.setFiles(files);
}

/** Waits until every file in the tray has uploaded. */
async function trayReady(page, count) {
  await eventually(async () => (await page.locator('.att-tray .att-entry.att-done').count()) === count,
    { what: `${count} uploaded file(s) in the tray` });
}

async function decodedImages(locator) {
  return locator.evaluateAll((imgs) => imgs.map((i) => (i.complete ? i.naturalWidth : 0)));
}

before(async () => {
  server = await new PeerchatServer('attachments').init([ALICE, BOB]);
  browser = await launchBrowser(FAKE_MEDIA);
  const aliceToken = await server.token(ALICE.username, ALICE.password);
  const bobToken = await server.token(BOB.username, BOB.password);
  group = await groupWith(server, aliceToken, { name: 'Whiteboard' }, [bobToken]);
  alice = { token: aliceToken, ...(await newPage(browser, DESKTOP)) };
  bob = { token: bobToken, ...(await newPage(browser, DESKTOP)) };
  await login(alice.page, server.url, ALICE.username, ALICE.password);
  await login(bob.page, server.url, BOB.username, BOB.password);
  await openGroup(alice.page, 'Whiteboard');
  await openGroup(bob.page, 'Whiteboard');
});

after(async () => {
  await browser?.close();
  await server?.destroy();
});

test('an image and a PDF: the other member sees the thumbnail and the card, and opens the viewer', { timeout: 90000 }, async () => {
  const png = await pngFrom(alice.page, 640, 480, '#2563eb');
  await attachFiles(alice.page, [
    { name: 'whiteboard.png', mimeType: 'image/png', buffer: png },
    { name: 'template.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  await trayReady(alice.page, 2);
  await expectAccessible(alice.page, 'composer tray with two files, desktop');
  await sendMessage(alice.page, 'The chart and the template');
  await alice.page.locator('.att-tray').waitFor({ state: 'hidden' });

  const msg = messageWith(bob.page, 'The chart and the template');
  await msg.waitFor();
  const thumb = msg.locator('.att-thumb img');
  await eventually(async () => (await decodedImages(thumb))[0] > 0, { what: 'the thumbnail decoded' });
  assert.equal(await thumb.getAttribute('alt'), 'whiteboard.png');
  // The box has the image's shape before it loads: 640×480 → 4:3.
  const ratio = await msg.locator('.att-thumb').evaluate((b) => b.getBoundingClientRect().width / b.getBoundingClientRect().height);
  assert.ok(Math.abs(ratio - 4 / 3) < 0.05, `thumbnail box ratio ${ratio}`);
  const card = msg.locator('.att-card');
  await card.locator('.att-name', { hasText: 'template.pdf' }).waitFor();
  assert.match(await card.innerText(), /PDF document · \d+ B/);
  const pdf = await bob.page.evaluate(async (href) => (await (await fetch(href)).text()).slice(0, 8), await card.getAttribute('href'));
  assert.equal(pdf, '%PDF-1.4', 'the card downloads the file');

  // The viewer: the full image, Esc closes it, focus goes back to the thumbnail.
  await msg.getByRole('button', { name: 'Open image whiteboard.png' }).click();
  const viewer = bob.page.getByRole('dialog', { name: 'Image viewer' });
  await viewer.waitFor();
  await eventually(async () => (await decodedImages(viewer.locator('.viewer-img')))[0] === 640, { what: 'the full image in the viewer' });
  await expectAccessible(bob.page, 'image viewer open, desktop');
  await bob.page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });
  assert.equal(await bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Open image whiteboard.png');

  const stored = (await messagesOf(server, alice.token, group.id)).find((m) => m.body === 'The chart and the template');
  assert.deepEqual(stored.attachments.map((a) => a.name).sort(), ['template.pdf', 'whiteboard.png']);
  assert.deepEqual([...alice.page.problems, ...bob.page.problems], []);
});

test('a pasted image is attached and sent (phone layout)', { timeout: 90000 }, async () => {
  const { context, page } = await newPage(browser, PHONE);
  try {
    await login(page, server.url, ALICE.username, ALICE.password);
    await openGroup(page, 'Whiteboard');
    assert.equal(await page.getByRole('button', { name: 'Take a photo' }).isVisible(), true, 'a phone offers the camera');
    await page.locator('#composer-input').click();
    await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 300; c.height = 200;
      const g = c.getContext('2d');
      g.fillStyle = '#16a34a'; g.fillRect(0, 0, 300, 200);
      const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/png'));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      document.getElementById('composer-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await trayReady(page, 1);
    assert.match(await page.locator('.att-tray .att-name').innerText(), /^pasted-.*\.png$/);
    await expectAccessible(page, 'composer tray with a pasted image, phone');
    await page.locator('.send-btn').click(); // no text: the image alone (on a phone Enter is a new line)

    const msg = bob.page.locator('.msg-list .msg', { has: bob.page.locator('.att-thumb img[alt^="pasted-"]') });
    await msg.waitFor();
    await eventually(async () => (await decodedImages(msg.locator('.att-thumb img')))[0] > 0, { what: 'the pasted image decoded' });

    // The viewer on a phone.
    await page.locator('.msg-list .att-thumb').last().click();
    await page.getByRole('dialog', { name: 'Image viewer' }).waitFor();
    await expectAccessible(page, 'image viewer open, phone');
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await page.getByRole('dialog', { name: 'Image viewer' }).waitFor({ state: 'detached' });
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
  }
});

test('a file dropped on the conversation uploads with a progress bar and can be cancelled', { timeout: 90000 }, async () => {
  // A slow uplink (DevTools network throttling) so the upload is still running when we look.
  const cdp = await alice.context.newCDPSession(alice.page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 128 * 1024 });
  try {
    await alice.page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(3 * 1024 * 1024).fill(7)], 'minutes.bin', { type: 'application/octet-stream' }));
      const target = document.querySelector('.conversation .messages');
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const entry = alice.page.locator('.att-tray .att-entry.att-uploading', { hasText: 'minutes.bin' });
    await entry.waitFor();
    await eventually(async () => Number(await entry.locator('progress').evaluate((p) => p.value)) > 0, { what: 'upload progress' });
    assert.match(await entry.locator('.att-status').innerText(), /^Uploading, \d+%$/);
    await expectAccessible(alice.page, 'an upload in progress, desktop');
    // Send waits for it rather than going without it.
    await sendMessage(alice.page, 'Minutes attached');
    await alice.page.locator('.toast', { hasText: 'Wait until the files have uploaded' }).waitFor();
    await alice.page.getByRole('button', { name: 'Cancel upload of minutes.bin' }).click();
    await alice.page.locator('.att-tray').waitFor({ state: 'hidden' });
    assert.equal(await alice.page.locator('#composer-input').inputValue(), 'Minutes attached', 'the text stays in the composer');
    await alice.page.locator('#composer-input').fill('');
  } finally {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
  }
  assert.deepEqual(alice.page.problems, []);
});

test('a voice note recorded from the microphone plays on the other side', { timeout: 90000 }, async () => {
  await alice.page.getByRole('button', { name: 'Record a voice note' }).click();
  const bar = alice.page.getByRole('group', { name: 'Recording a voice note' });
  await bar.getByText('Recording', { exact: true }).waitFor();
  await eventually(async () => (await bar.getByRole('timer').innerText()) >= '0:02', { what: 'two seconds recorded' });
  await expectAccessible(alice.page, 'recording a voice note, desktop');
  await bar.getByRole('button', { name: 'Stop and send' }).click();
  await bar.waitFor({ state: 'hidden' });

  const audio = bob.page.locator('.msg-list .att-audio audio').last();
  await audio.waitFor();
  const name = await bob.page.locator('.msg-list .att-audio .att-name').last().innerText();
  assert.match(name, /^voice-note-.*\.webm$/);
  // Played on Bob's side: the clock moves.
  const played = await audio.evaluate(async (a) => {
    a.muted = true;
    await a.play();
    const start = performance.now();
    while (a.currentTime < 0.3 && performance.now() - start < 10000) await new Promise((r) => setTimeout(r, 50));
    a.pause();
    return a.currentTime;
  });
  assert.ok(played >= 0.3, `currentTime advanced to ${played}`);
  const stored = (await messagesOf(server, alice.token, group.id)).find((m) => m.attachments?.[0]?.name === name);
  assert.ok(stored.attachments[0].duration_ms > 1000, `the server measured ${stored.attachments[0].duration_ms} ms`);
  assert.match(stored.attachments[0].mime, /^audio\//);
  assert.match(await bob.page.locator('.msg-list .att-audio .att-duration').last().innerText(), /^0:0[1-9]$/);
  assert.deepEqual([...alice.page.problems, ...bob.page.problems], []);
});

test('recording on a phone: the bar passes axe, Cancel sends nothing', { timeout: 60000 }, async () => {
  const { context, page } = await newPage(browser, PHONE);
  try {
    await login(page, server.url, ALICE.username, ALICE.password);
    await openGroup(page, 'Whiteboard');
    const before = (await messagesOf(server, alice.token, group.id)).length;
    await page.getByRole('button', { name: 'Record a voice note' }).click();
    const bar = page.getByRole('group', { name: 'Recording a voice note' });
    await bar.getByText('Recording', { exact: true }).waitFor();
    await expectAccessible(page, 'recording a voice note, phone');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await bar.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('.pending-list .msg').count(), 0);
    assert.equal((await messagesOf(server, alice.token, group.id)).length, before);
    assert.deepEqual(page.problems, []);
  } finally {
    await context.close();
  }
});

test('a file attached while offline goes out exactly once when the network is back', { timeout: 90000 }, async () => {
  const png = await pngFrom(alice.page, 320, 240, '#f59e0b');
  await alice.context.setOffline(true);
  await attachFiles(alice.page, [{ name: 'offline.png', mimeType: 'image/png', buffer: png }]);
  await alice.page.locator('.att-tray .att-status', { hasText: 'Will upload when online' }).waitFor();
  await sendMessage(alice.page, 'Sent from the tunnel');
  const pending = alice.page.locator('.pending-list .msg.pending', { hasText: 'Sent from the tunnel' });
  await pending.waitFor();
  await pending.locator('.pending-files', { hasText: 'offline.png' }).waitFor();
  await expectAccessible(alice.page, 'a pending message with a file, desktop');
  // The file waits in IndexedDB, under the message's client_msg_id.
  const kept = await alice.page.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open('peerchat-outbox-files');
    req.onsuccess = () => {
      const r = req.result.transaction('files').objectStore('files').getAll();
      r.onsuccess = () => resolve(r.result.flat().filter(Boolean).map((b) => b.size));
    };
  }));
  assert.deepEqual(kept, [png.length]);

  await alice.context.setOffline(false);
  await messageWith(bob.page, 'Sent from the tunnel').locator('.att-thumb img').waitFor();
  await pending.waitFor({ state: 'detached' });
  const copies = (await messagesOf(server, alice.token, group.id)).filter((m) => m.body === 'Sent from the tunnel');
  assert.equal(copies.length, 1, 'exactly one copy is stored');
  assert.deepEqual(copies[0].attachments.map((a) => a.name), ['offline.png']);
  await eventually(() => alice.page.evaluate(() => new Promise((resolve) => {
    const req = indexedDB.open('peerchat-outbox-files');
    req.onsuccess = () => { const r = req.result.transaction('files').objectStore('files').count(); r.onsuccess = () => resolve(r.result === 0); };
  })), { what: 'the stored file is removed once sent' });
  assert.deepEqual([...alice.page.problems, ...bob.page.problems], []);
});
