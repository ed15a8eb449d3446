// SPDX-License-Identifier: MIT
// Launches Debian's Chromium through playwright-core (never a downloaded browser) and
// offers the few UI steps every scenario shares.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * A headless Chromium with a fresh temporary profile (playwright makes one per launch).
 * `extraArgs` adds switches, e.g. FAKE_MEDIA for a microphone without hardware.
 */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
}

/** Chromium's fake camera and microphone (a beeping tone), granted without a prompt; media may play without a gesture. */
export const FAKE_MEDIA = [
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required',
];

/**
 * A new context (its own cookies, storage and service workers), with a page that fails the
 * test on any uncaught page error and records console errors and dialogs.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ colorScheme: 'light', ...options });
  context.setDefaultTimeout(30000);
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|WebSocket connection|ERR_CONNECTION_REFUSED/.test(msg.text())) {
      page.problems.push(`console.error: ${msg.text()}`);
    }
  });
  page.on('dialog', async (d) => { page.dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss().catch(() => {}); });
  return { context, page };
}

/** Signs in through the login form and waits for the group list. */
export async function login(page, baseUrl, username, password) {
  await page.goto(`${baseUrl}/login`);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.sidebar .group-list').waitFor();
}

/** The page's session cookie as Chromium holds it ({value, httpOnly, …}), or undefined. */
export async function sessionCookie(page) {
  return (await page.context().cookies()).find((c) => c.name === 'peerchat_session');
}

/** Every localStorage / sessionStorage entry (key or value) that contains `secret`. */
export function storageHolding(page, secret) {
  return page.evaluate((s) => {
    const found = [];
    for (const [name, store] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]]) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i);
        if (key.includes(s) || (store.getItem(key) || '').includes(s) || /token/i.test(key)) found.push(`${name}.${key}`);
      }
    }
    return found;
  }, secret);
}

/** Opens a group from the sidebar and waits until its history has loaded. */
export async function openGroup(page, name) {
  await page.locator('.group-item', { hasText: name }).first().click();
  await page.locator('#conv-title', { hasText: name }).waitFor();
  await page.locator('.history-status .spinner').waitFor({ state: 'detached' });
}

/** Types into the composer and presses Enter, as a person would. */
export async function sendMessage(page, text) {
  const input = page.locator('#composer-input');
  await input.click();
  await input.pressSequentially(text, { delay: 5 });
  await input.press('Enter');
}

/** The committed (not pending) message whose body contains `text`. */
export function messageWith(page, text) {
  return page.locator('.msg-list .msg', { has: page.locator('.msg-body', { hasText: text }) });
}

export async function screenshot(page, file) {
  if (process.env.SCREENSHOTS !== '1') return;
  await page.screenshot({ path: file });
}
