// End-to-end tests of web/widget.js in Debian's Chromium against a real
// `hearsay serve` (E2E_HEARSAY_BIN) on 127.0.0.1:0 with a fresh SQLite store.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import {
  ARTIFACTS, TITLE, captureEvents, launchBrowser, newContext, opened, poll, startHearsay,
  startPages,
} from './lib.mjs';

const WIDGET = new URL('../../web/widget.js', import.meta.url);
const TOKEN = /^[A-Za-z0-9]{12}$/;

let hs, pages, b;

before(async () => {
  hs = await startHearsay();
  pages = await startPages(hs);
  b = await launchBrowser();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await b?.browser.close();
  await pages?.stop();
  await hs?.stop();
});

/**
 * The stored share with this token, once `ready` holds for it: a share made
 * through a short link is stored before the share event that completes it.
 */
async function shareByToken(token, ready = () => true) {
  let last;
  try {
    return await poll(`share ${token} in the store`, async () => {
      last = (await hs.shares()).find((s) => s.token === token);
      return last && ready(last) && last;
    });
  } catch (e) {
    if (last) return last; // let the assertions say what is wrong with it
    throw e;
  }
}

function tokenOf(link, sep = '#hs=') {
  const i = link.lastIndexOf(sep);
  assert.ok(i > 0, `no ${sep} in ${link}`);
  const t = link.slice(i + sep.length);
  assert.match(t, TOKEN);
  return t;
}

describe('the served script', () => {
  test('is web/widget.js, JavaScript, and at most 5 KB gzipped', async () => {
    const res = await fetch(hs.base + '/widget.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/javascript/);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.equals(fs.readFileSync(WIDGET)), 'served bytes differ from web/widget.js');
    const gz = zlib.gzipSync(body, { level: 9 }).length;
    const gzDefault = zlib.gzipSync(body).length;
    console.log(`widget.js: ${body.length} bytes, gzip -9 ${gz} bytes, gzip -6 ${gzDefault} bytes`);
    assert.ok(gz <= 5000 && gzDefault <= 5000, `gzipped size ${gzDefault} > 5000`);
  });
});

describe('the demo home page', () => {
  for (const [name, options] of [
    ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
    ['desktop', { viewport: { width: 1280, height: 900 } }],
  ]) {
    test(`${name}: a pageview with its topics, no layout shift, address bar untouched`, async () => {
      const init = [() => {
        window.__shift = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
        document.addEventListener('DOMContentLoaded', () => {
          window.__before = [...document.querySelectorAll('[data-hearsay-share]')]
            .map((el) => el.getBoundingClientRect().height);
        });
      }];
      // A phone has the Web Share API; this Chromium on Linux may not.
      if (name === 'phone') init.push(() => { navigator.share = async () => {}; });
      const { context, outside } = await newContext(b, { ...options, init });
      const page = await context.newPage();
      const sent = captureEvents(page);
      // The script arrives late, as on a slow network, so the bar renders
      // after the first paint: only reserved space avoids a shift then.
      await page.route('**/widget.js', async (route) => {
        await new Promise((r) => setTimeout(r, 600));
        await route.continue();
      });
      const home = hs.base + '/';
      await page.goto(home);
      await page.waitForSelector('.hs-bar .hs-whatsapp');
      await poll('the pageview beacon', () => sent.length >= 1);

      const ev = sent[0].events[0];
      assert.equal(sent[0].site, hs.site);
      assert.equal(ev.type, 'pageview');
      assert.equal(ev.canonical, home);
      assert.equal(ev.title, 'Auro Mini 3 review: the small phone that outlasts the big ones');
      assert.deepEqual(ev.topics, [
        'Phones', 'phone review', 'small phones', 'battery life', 'Auro Mini 3',
        'compact phone', 'review',
      ]);
      assert.equal(ev.token, undefined);
      assert.equal(ev.visitor, undefined);
      await poll('the pageview in the store', async () =>
        (await hs.events('pageview')).find((e) => e.url === home || e.url === hs.base));

      const after = await page.evaluate(() => [...document.querySelectorAll('[data-hearsay-share]')]
        .map((el) => el.getBoundingClientRect().height));
      const before = await page.evaluate(() => window.__before);
      assert.equal(before.length, 2);
      assert.deepEqual(after, before, 'the share bars changed height when the buttons came');
      assert.ok(await page.evaluate(() => window.__shift) < 0.001, 'layout shift');
      const buttons = await page.$$eval('.share-row .hs-b',
        (els) => els.map((el) => el.className.split(' ')[1]));
      const expected = ['hs-whatsapp', 'hs-sms', 'hs-email', 'hs-messenger', 'hs-telegram',
        'hs-copy', 'hs-facebook', 'hs-x', 'hs-linkedin', 'hs-reddit'];
      assert.deepEqual(buttons, name === 'phone' ? ['hs-native', ...expected] : expected);

      await page.waitForTimeout(300);
      assert.equal(page.url(), home, 'the home page address bar must stay as it was');
      await page.screenshot({ path: `${ARTIFACTS}demo-${name}.png` });
      await page.screenshot({ path: `${ARTIFACTS}demo-${name}-full.png`, fullPage: true });
      assert.deepEqual(outside, []);
      await context.close();
    });
  }
});

describe('share buttons', () => {
  test('each button sends its share and opens the channel with the tagged link', async () => {
    const url = pages.add('buttons');
    const { context, outside } = await newContext(b);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pages.base });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('.hs-whatsapp');
    const T = encodeURIComponent(TITLE);
    const cases = {
      whatsapp: (l) => `https://wa.me/?text=${encodeURIComponent(TITLE + ' ' + l)}`,
      email: (l) => `mailto:?subject=${T}&body=${encodeURIComponent(TITLE + '\n\n' + l)}`,
      messenger: (l) => `fb-messenger://share/?link=${encodeURIComponent(l)}`,
      telegram: (l) => `https://t.me/share/url?url=${encodeURIComponent(l)}&text=${T}`,
      facebook: (l) => `https://www.facebook.com/sharer/sharer.php?u=${encodeURIComponent(l)}`,
      x: (l) => `https://x.com/intent/tweet?text=${T}&url=${encodeURIComponent(l)}`,
      linkedin: (l) => `https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(l)}`,
      reddit: (l) => `https://www.reddit.com/submit?url=${encodeURIComponent(l)}&title=${T}`,
    };
    const tokens = new Set();
    let n = 0;
    for (const channel of ['whatsapp', 'sms', 'email', 'messenger', 'telegram', 'copy',
      'facebook', 'x', 'linkedin', 'reddit']) {
      await page.click(`.hs-${channel}`);
      let token;
      if (channel === 'copy') {
        const text = await poll('the copied link', async () => {
          const t = await page.evaluate(() => navigator.clipboard.readText());
          return t.startsWith(url) && t;
        });
        token = tokenOf(text);
        assert.equal(text, `${url}#hs=${token}`);
        assert.equal(await page.textContent('.hs-copy'), 'Link copied');
      } else {
        const o = await opened(page, ++n);
        if (channel === 'sms') {
          // A short link from the server stands in for the long tagged URL.
          const prefix = `sms:?&body=${encodeURIComponent(TITLE + ' ')}`;
          assert.ok(o.url.startsWith(prefix), o.url);
          const short = decodeURIComponent(o.url.slice(prefix.length));
          assert.match(short, new RegExp(`^${hs.base}/[A-Za-z0-9]+$`));
          const res = await fetch(short, { redirect: 'manual' });
          assert.equal(res.status, 302);
          const location = res.headers.get('location');
          token = tokenOf(location);
          assert.equal(location, `${url}#hs=${token}`);
        } else {
          const inner = new URL(o.url).searchParams;
          const param = { whatsapp: 'text', email: 'body', messenger: 'link', facebook: 'u' };
          const link = inner.get(param[channel] ?? 'url').split(/\s/).pop();
          token = tokenOf(link);
          assert.equal(link, `${url}#hs=${token}`);
          assert.equal(o.url, cases[channel](link));
        }
        const own = o.url.startsWith('https:');
        assert.equal(o.target, own ? '_blank' : '_self', `${channel} target`);
      }
      assert.ok(!tokens.has(token), 'a fresh token for every share');
      tokens.add(token);
      const s = await shareByToken(token, (x) => x.has_visitor);
      assert.equal(s.channel, channel);
      assert.equal(s.channel_origin, 'declared');
      // The short link for SMS is made first and the server files the share
      // under origin "link" (see docs/widget.md, "Open questions").
      assert.equal(s.origin, channel === 'sms' ? s.origin : 'widget');
      assert.ok(['widget', 'link'].includes(s.origin), s.origin);
      assert.equal(s.content_url, url);
      assert.equal(s.parent, null);
      assert.equal(s.has_visitor, true);
    }
    assert.deepEqual(outside, []);
    await context.close();
  });

  test('a real popup opens the share address and nothing leaves the machine', async () => {
    const url = pages.add('popup');
    const { context, outside } = await newContext(b, { stubOpen: false });
    const page = await context.newPage();
    await page.goto(url);
    const [popup] = await Promise.all([context.waitForEvent('page'), page.click('.hs-linkedin')]);
    await popup.waitForLoadState();
    const link = new URL(popup.url()).searchParams.get('url');
    const token = tokenOf(link);
    assert.equal(popup.url(),
      `https://www.linkedin.com/sharing/share-offsite/?url=${encodeURIComponent(`${url}#hs=${token}`)}`);
    assert.deepEqual(outside, [popup.url()]);
    assert.equal((await shareByToken(token)).channel, 'linkedin');
    await context.close();
  });

  test('the Web Share button records a native share, and a cancel records none', async () => {
    const url = pages.add('native');
    const { context } = await newContext(b, {
      init: [() => {
        window.__sheet = [];
        navigator.share = (data) => {
          window.__sheet.push(data);
          return window.__cancel ? Promise.reject(new DOMException('no', 'AbortError'))
            : Promise.resolve();
        };
      }],
    });
    const page = await context.newPage();
    const sent = captureEvents(page);
    await page.goto(url);
    await page.click('.hs-native');
    const data = await poll('the share sheet', async () => (await page.evaluate(() => window.__sheet))[0]);
    assert.equal(data.title, TITLE);
    const token = tokenOf(data.url);
    assert.equal(data.url, `${url}#hs=${token}`);
    const s = await shareByToken(token);
    assert.equal(s.channel, 'native');
    assert.equal(s.origin, 'widget');

    await page.evaluate(() => { window.__cancel = true; });
    await page.click('.hs-native');
    const cancelled = tokenOf(await poll('the second sheet', async () =>
      (await page.evaluate(() => window.__sheet))[1]?.url));
    await page.waitForTimeout(500);
    const shares = sent.flatMap((x) => x.events).filter((e) => e.type === 'share');
    assert.deepEqual(shares.map((e) => e.token), [token]);
    assert.equal((await hs.shares()).find((x) => x.token === cancelled), undefined);

    // Without the Web Share API there is no such button.
    const plain = await newContext(b);
    const p2 = await plain.context.newPage();
    await p2.goto(url);
    await p2.waitForSelector('.hs-whatsapp');
    const hasApi = await p2.evaluate(() => typeof navigator.share === 'function');
    assert.equal(await p2.$$eval('.hs-native', (els) => els.length), hasApi ? 1 : 0);
    await plain.context.close();
    await context.close();
  });
});

describe('arrivals and the cascade', () => {
  test('share, click, reshare, and copy of the address bar, over three visitors', async () => {
    const url = pages.add('cascade');

    // First visitor shares on WhatsApp.
    const a = await newContext(b);
    const pa = await a.context.newPage();
    await pa.goto(url);
    await pa.click('.hs-whatsapp');
    const link1 = new URL((await opened(pa, 1)).url).searchParams.get('text').split(' ').pop();
    const t1 = tokenOf(link1);
    assert.equal((await shareByToken(t1)).channel, 'whatsapp');

    // Second visitor, in a fresh context, opens the shared link.
    const bctx = await newContext(b);
    const pb = await bctx.context.newPage();
    let loads = 0;
    pb.on('load', () => loads++);
    await pb.goto(link1);
    const arrival = await poll('the arrival for t1', async () =>
      (await hs.events('arrival')).find((e) => e.token === t1));
    assert.equal(arrival.url, url);
    assert.equal(arrival.class, 'person');
    const bar = await poll('a new token in the address bar', async () => {
      const u = pb.url();
      return u !== link1 && u;
    });
    const t2 = tokenOf(bar);
    assert.notEqual(t2, t1);
    assert.equal(bar, `${url}#hs=${t2}`);
    await pb.waitForTimeout(300);
    assert.equal(loads, 1, 'the address bar changed without a reload');

    // The second visitor reshares: its parent is the first share.
    await pb.click('.hs-telegram');
    const t3 = tokenOf(new URL((await opened(pb, 1)).url).searchParams.get('url'));
    const s3 = await shareByToken(t3, (x) => x.parent);
    assert.equal(s3.channel, 'telegram');
    assert.equal(s3.parent, t1);

    // An SMS reshare, which goes through a short link, keeps the parent too.
    await pb.click('.hs-sms');
    const sms = decodeURIComponent((await opened(pb, 2)).url).split(' ').pop();
    const smsToken = tokenOf((await fetch(sms, { redirect: 'manual' })).headers.get('location'));
    assert.equal((await shareByToken(smsToken, (x) => x.parent)).parent, t1);

    // A reload keeps the visitor's own token and is no arrival of it.
    const pageviews = (await hs.events('pageview')).length;
    await pb.reload();
    await pb.waitForSelector('.hs-whatsapp');
    assert.equal(pb.url(), bar);
    await poll('the pageview of the reload', async () =>
      (await hs.events('pageview')).length > pageviews);
    assert.equal((await hs.events('arrival')).filter((e) => e.token === t2).length, 0);
    // ...and a share after the reload still names the first share as parent.
    await pb.click('.hs-reddit');
    const t3b = tokenOf(new URL((await opened(pb, 1)).url).searchParams.get('url'));
    assert.equal((await shareByToken(t3b, (x) => x.parent)).parent, t1);

    // Third visitor opens the URL copied from the second one's address bar.
    const c = await newContext(b);
    const pc = await c.context.newPage();
    await pc.goto(bar);
    const arrival2 = await poll('the arrival for t2', async () =>
      (await hs.events('arrival')).find((e) => e.token === t2));
    assert.equal(arrival2.url, url);
    const s2 = await shareByToken(t2);
    assert.equal(s2.channel, 'copy');
    assert.equal(s2.origin, 'arrival');
    assert.equal(s2.channel_origin, 'inferred');
    const t4 = tokenOf(await poll('a token of the third visitor', async () =>
      pc.url() !== bar && pc.url()));
    assert.notEqual(t4, t2);

    for (const x of [a, bctx, c]) {
      assert.deepEqual(x.outside, []);
      await x.context.close();
    }
  });

  test('a lost share beacon: the arrival still creates the share', async () => {
    const url = pages.add('lost-beacon');
    const a = await newContext(b);
    await a.context.route('**/api/v1/events', (route) => route.abort());
    const pa = await a.context.newPage();
    await pa.goto(url);
    await pa.click('.hs-whatsapp');
    const link = new URL((await opened(pa, 1)).url).searchParams.get('text').split(' ').pop();
    const token = tokenOf(link);
    await pa.waitForTimeout(700);
    assert.equal((await hs.shares()).find((s) => s.token === token), undefined,
      'the blocked share must not have reached the store');

    const r = await newContext(b);
    const pr = await r.context.newPage();
    await pr.goto(link);
    const s = await shareByToken(token);
    assert.equal(s.origin, 'arrival');
    assert.equal(s.channel, 'copy');
    assert.equal(s.content_url, url);
    await a.context.close();
    await r.context.close();
  });

  test('token in a query parameter when the site asks for it', async () => {
    const url = pages.add('query', { attrs: 'data-token-in="query" data-token-param="ref"' });
    const a = await newContext(b);
    const pa = await a.context.newPage();
    await pa.goto(url);
    await pa.click('.hs-facebook');
    const link = new URL((await opened(pa, 1)).url).searchParams.get('u');
    const token = tokenOf(link, '?ref=');
    assert.equal(link, `${url}?ref=${token}`);
    assert.equal((await shareByToken(token)).channel, 'facebook');

    const r = await newContext(b);
    const pr = await r.context.newPage();
    await pr.goto(link);
    await poll('the arrival', async () => (await hs.events('arrival')).find((e) => e.token === token));
    const own = tokenOf(await poll('the query token replaced', async () =>
      pr.url() !== link && pr.url()), '?ref=');
    assert.notEqual(own, token);
    await a.context.close();
    await r.context.close();
  });

  test('without a canonical link, tracking parameters are left out of the link', async () => {
    const url = pages.add('plain', { canonical: false });
    const { context } = await newContext(b);
    const page = await context.newPage();
    await page.goto(`${url}?id=7&utm_source=news&fbclid=abc&gclid=x`);
    await page.click('.hs-x');
    const link = new URL((await opened(page, 1)).url).searchParams.get('url');
    assert.equal(link, `${url}?id=7#hs=${tokenOf(link)}`);
    await context.close();
  });
});

describe('privacy', () => {
  test('Global Privacy Control: counted with no id of any kind', async () => {
    const gpcUrl = pages.add('gpc', { attrs: 'data-consent="on"' });
    const ctlUrl = pages.add('gpc-control');
    const results = {};
    for (const [url, gpc] of [[gpcUrl, true], [ctlUrl, false]]) {
      const init = gpc ? [() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl',
        { get: () => true, configurable: true })] : [];
      const { context } = await newContext(b, { init });
      const page = await context.newPage();
      const sent = captureEvents(page);
      await page.goto(url);
      await page.click('.hs-whatsapp');
      const token = tokenOf(new URL((await opened(page, 1)).url).searchParams.get('text').split(' ').pop());
      if (gpc) assert.equal(await page.evaluate(() => window.hearsay.consent(true)), false);
      const share = await shareByToken(token);
      const pv = await poll('the pageview', async () =>
        (await hs.events('pageview')).find((e) => e.url === url));
      await poll('two beacons', () => sent.length >= 2);
      results[gpc] = { share, pv, sent, storage: await page.evaluate(() => localStorage.length) };
      await context.close();
    }
    for (const body of results.true.sent) {
      for (const e of body.events) {
        assert.equal(e.dnt, true);
        assert.equal('visitor' in e, false);
      }
    }
    assert.equal(results.true.share.has_visitor, false);
    assert.equal(results.true.pv.has_visitor, false);
    assert.equal(results.true.storage, 0);
    // The same steps without GPC do get the server's daily id.
    assert.equal(results.false.share.has_visitor, true);
    assert.equal(results.false.pv.has_visitor, true);
    assert.equal(results.false.sent[0].events[0].dnt, undefined);
  });

  test('consent mode: a first-party id only after hearsay.consent(true); no cookies', async () => {
    const url = pages.add('consent', { attrs: 'data-consent="on"' });
    const { context } = await newContext(b);
    const page = await context.newPage();
    const sent = captureEvents(page);
    await page.goto(url);
    await poll('the pageview beacon', () => sent.length >= 1);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.equal('visitor' in sent[0].events[0], false);

    assert.equal(await page.evaluate(() => window.hearsay.consent(true)), true);
    const id = await page.evaluate(() => localStorage.getItem('hearsay_visitor'));
    assert.match(id, /^[A-Za-z0-9_-]{8,64}$/);
    await page.click('.hs-email');
    await poll('the share beacon', () => sent.length >= 2);
    assert.equal(sent[1].events[0].visitor, id);
    await page.reload();
    await poll('the pageview after reload', () => sent.length >= 3);
    assert.equal(sent[2].events[0].visitor, id);

    assert.equal(await page.evaluate(() => window.hearsay.consent(false)), false);
    assert.equal(await page.evaluate(() => localStorage.length), 0);

    // A site not in consent mode keeps nothing, even when asked.
    const plain = pages.add('no-consent');
    await page.goto(plain);
    assert.equal(await page.evaluate(() => window.hearsay.consent(true)), false);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.deepEqual(await context.cookies(), []);
    await context.close();
  });

  test('copying selected text: reported, clipboard untouched unless the site asks', async () => {
    for (const on of [false, true]) {
      const url = pages.add(`copy-${on}`, { attrs: on ? 'data-copy-link="on"' : '' });
      const { context } = await newContext(b);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pages.base });
      const page = await context.newPage();
      const sent = captureEvents(page);
      await page.goto(url);
      const bar = tokenOf(await poll('the address-bar token', () => page.url().includes('#hs=') && page.url()));
      await page.evaluate(() => {
        const r = document.createRange();
        r.selectNodeContents(document.getElementById('lede'));
        getSelection().removeAllRanges();
        getSelection().addRange(r);
      });
      await page.keyboard.press('Control+C');
      const text = 'The small phone lasts two days on a charge and takes natural photos.';
      const share = await poll('the copy share', () =>
        sent.flatMap((x) => x.events).find((e) => e.type === 'share'));
      assert.equal(share.channel, 'copy');
      const clip = await page.evaluate(() => navigator.clipboard.readText());
      if (on) {
        assert.equal(clip, `${text}\n\n${url}#hs=${share.token}`);
        assert.notEqual(share.token, bar);
      } else {
        assert.equal(clip, text);
        assert.equal(share.token, bar);
      }
      assert.equal((await shareByToken(share.token)).channel, 'copy');
      await context.close();
    }
  });
});

describe('a hostile host page', () => {
  test('broken globals and a missing site id never throw into the page', async () => {
    const broken = pages.add('broken', {
      before: `<script>
        window.fetch = 42;
        navigator.sendBeacon = function () { throw new Error('no beacon'); };
        history.replaceState = function () { throw new Error('no history'); };
        Array.prototype.indexOf = undefined;
        window.URL = undefined;
        window.open = function () { throw new Error('no popups'); };
      </script>`,
    });
    const nosite = pages.add('nosite', { site: '' });
    for (const url of [broken, nosite]) {
      const { context } = await newContext(b, { stubOpen: false });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForTimeout(300);
      for (const el of await page.$$('.hs-b')) {
        if (!(await el.getAttribute('class')).includes('hs-sms')) await el.click();
      }
      await page.waitForTimeout(300);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});

describe('the collector refuses bad input with a clear 4xx', () => {
  const post = (body, origin = pages.base) => fetch(hs.base + '/api/v1/events', {
    method: 'POST', body, headers: { 'Content-Type': 'text/plain', Origin: origin },
  });
  const pageview = (extra = {}) => ({ type: 'pageview', url: `${pages.base}/x`, ...extra });

  test('unknown site, foreign Origin, malformed JSON or token, oversize body', async () => {
    const cases = [
      ['unknown site', JSON.stringify({ site: 'nosuchsite', events: [pageview()] }), undefined, 404],
      ['foreign origin', JSON.stringify({ site: hs.site, events: [pageview()] }), 'https://evil.example', 403],
      ['malformed JSON', '{"site": ', undefined, 400],
      ['short token', JSON.stringify({ site: hs.site, events: [pageview({ type: 'arrival', token: 'abc' })] }), undefined, 400],
      ['token with a slash', JSON.stringify({ site: hs.site, events: [{ type: 'share', token: 'abcdefgh/ij', channel: 'sms', url: `${pages.base}/x` }] }), undefined, 400],
    ];
    for (const [what, body, origin, status] of cases) {
      const res = await post(body, origin);
      assert.equal(res.status, status, what);
      const answer = await res.json();
      assert.equal(typeof answer.error, 'string', what);
      assert.ok(answer.error.length > 0, what);
    }
    const ok = await post(JSON.stringify({ site: hs.site, events: [pageview()] }));
    assert.equal(ok.status, 202);
    assert.deepEqual(await ok.json(), { accepted: 1 });
  });

  test('an oversize body: 413 with a JSON error', {
  }, async () => {
    const big = JSON.stringify({ site: hs.site, events: [pageview({ title: 'x'.repeat(70 * 1024) })] });
    const res = await post(big);
    assert.equal(res.status, 413);
    assert.equal(typeof (await res.json()).error, 'string');
  });

  test('a page off the site domains is refused, and the widget stays quiet', async () => {
    // 127.0.0.2 is this machine too, but not one of the demo site's domains.
    const elsewhere = await startPages(hs, '127.0.0.2');
    const foreign = elsewhere.add('foreign');
    const { context } = await newContext(b);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/events'));
    await page.goto(foreign);
    assert.equal((await refused).status(), 403);
    await page.click('.hs-whatsapp');
    await page.waitForTimeout(300);
    assert.deepEqual(errors, []);
    const stored = (await hs.events()).filter((e) => String(e.url).includes('127.0.0.2'));
    assert.deepEqual(stored, []);
    await context.close();
    await elsewhere.stop();
  });
});
