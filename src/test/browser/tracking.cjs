// Drives Debian's Chromium through playwright-core for BrowserTrackingTest: the advertiser's site
// (127.0.0.1) and the tracking domain (localhost) are two origins. Prints one JSON line of results;
// a failed scenario leaves a screenshot under the screenshots directory and exits 1.
'use strict';
const path = require('path');
const fs = require('fs');
const cfg = JSON.parse(process.argv[2]);
const { chromium } = require(path.resolve(cfg.playwright));

const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

async function main() {
  // Only this run's failures are left there.
  fs.rmSync(cfg.screenshots, { recursive: true, force: true });
  fs.mkdirSync(cfg.screenshots, { recursive: true });
  const out = {};
  let failed = false;
  async function scenario(name, userAgent, body) {
    // Each scenario is a new visitor: its own browser with a fresh profile (--user-data-dir).
    const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(cfg.userDataDir, name + '-')), {
      executablePath: cfg.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
      ...(userAgent ? { userAgent } : {}),
    });
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(20000);
    try {
      out[name] = await body(page);
    } catch (e) {
      failed = true;
      out[name] = { error: String(e && e.stack || e) };
      await page.screenshot({ path: path.join(cfg.screenshots, name + '.png'), fullPage: true }).catch(() => {});
    } finally {
      await context.close();
    }
  }
  // The tracking link, the landing page with the script, then the thank-you page with the script.
  async function clickThrough(page, code) {
    await page.goto(cfg.edge + '/r/' + code);
    await page.waitForURL(u => u.toString().startsWith(cfg.site + '/landing.html'));
    const clickId = new URL(page.url()).searchParams.get('click_id');
    // The script asked the edge for the campaign's window and stored the id for it.
    // The script stored the id, then asked the edge for the campaign's window (7 days, not the default 30).
    await page.waitForFunction(() => {
      const v = JSON.parse(localStorage.getItem('tl_click') || 'null');
      return v && v.exp - Date.now() < 8 * 864e5;
    });
    return clickId;
  }

  await scenario('script', HUMAN_UA, async page => {
    const clickId = await clickThrough(page, cfg.codes.script);
    const stored = await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.getItem('tl_click') }));
    await page.goto(cfg.site + '/thanks.html');
    await page.waitForFunction(() => window.__sent === true);
    const maxAge = await page.evaluate(() => JSON.parse(localStorage.getItem('tl_click')).exp - Date.now());
    return { clickId, stored, sentWith: await page.evaluate(() => tracklane.clickId()), maxAge };
  });

  await scenario('pixel', HUMAN_UA, async page => {
    await page.goto(cfg.edge + '/r/' + cfg.codes.pixel);
    await page.waitForURL(u => u.toString().startsWith(cfg.site + '/landing.html'));
    const clickId = new URL(page.url()).searchParams.get('click_id');
    await page.goto(cfg.site + '/thanks-pixel.html?tx=' + cfg.tx.pixel + '&cid=' + encodeURIComponent(clickId));
    await page.waitForFunction(() => document.getElementById('px').complete);
    return { clickId };
  });

  await scenario('pixelNone', HUMAN_UA, async page => {
    await page.goto(cfg.site + '/thanks-pixel.html?tx=' + cfg.tx.pixelNone);
    await page.waitForFunction(() => document.getElementById('px').complete);
    return { ok: true };
  });

  // Chromium's own headless User-Agent (HeadlessChrome), the ES module variant of the script.
  await scenario('headless', null, async page => {
    const clickId = await clickThrough(page, cfg.codes.headless);
    const ua = await page.evaluate(() => navigator.userAgent);
    await page.goto(cfg.site + '/thanks-module.html');
    await page.waitForFunction(() => window.__sent === true);
    return { clickId, ua };
  });

  await scenario('impression', HUMAN_UA, async page => {
    await page.goto(cfg.site + '/creative.html');
    await page.waitForFunction(() => window.__shown === true);
    await page.waitForLoadState('networkidle');
    return { calls: await page.evaluate(() => window.__calls) };
  });

  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(failed ? 1 : 0);
}

main().catch(e => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(2);
});
