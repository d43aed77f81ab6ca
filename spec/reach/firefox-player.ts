/**
 * Drives Firefox ESR on camwire's player page and prints what the fallback did as one JSON line
 * (a FallbackRun): `node firefox-player.js <page url> <seconds>`. A process of its own because
 * puppeteer-core's modules do not load under tap's TypeScript import hooks.
 */
import { launch } from 'puppeteer-core';
import { fallbackState, watchFallback } from './fallback-page.js';

const [url, seconds] = process.argv.slice(2);
const browser = await launch({
  browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, extraPrefsFirefox: { 'media.autoplay.default': 0 },
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  const run = await watchFallback(() => page.evaluate(fallbackState), Number(seconds));
  process.stdout.write(JSON.stringify(run) + '\n');
} finally {
  await browser.close();
}
