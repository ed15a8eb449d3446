// SPDX-License-Identifier: MIT
// Renders src/web/icon.svg to the PNG icons the web manifest lists, with Debian's Chromium.
// Usage: node tools/make-icons.mjs   (from tests/e2e, after npm ci)
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launchBrowser } from '../lib/browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '../../../src/web');
const svg = await readFile(path.join(web, 'icon.svg'), 'utf8');
const browser = await launchBrowser();
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const data = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${data}" width="${size}" height="${size}"></body></html>`);
    await page.waitForFunction(() => document.images[0].complete);
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await writeFile(path.join(web, `icon-${size}.png`), png);
    await page.close();
    console.log(`icon-${size}.png: ${png.length} bytes`);
  }
} finally {
  await browser.close();
}
