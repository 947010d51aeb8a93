// Helpers for the browser tests: a real `hearsay serve`, a small server for
// test pages on another port (another origin, like a brand's own site), and
// Debian's Chromium driven by playwright-core.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;

/** Starts `$E2E_HEARSAY_BIN serve` on 127.0.0.1:0 with a fresh data dir. */
export async function startHearsay() {
  const bin = process.env.E2E_HEARSAY_BIN;
  if (!bin) throw new Error('E2E_HEARSAY_BIN is not set (path to the hearsay binary)');
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'hearsay-browser-'));
  const env = { ...process.env, NO_COLOR: '1' };
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let log = '';
  const found = {};
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('hearsay serve did not start in 30 s; output:\n' + log)),
      30_000,
    );
    const read = (chunk) => {
      log += chunk;
      const text = log.replace(/\x1b\[[0-9;]*m/g, '');
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      const id = /demo site id: ([A-Za-z0-9_-]+)/.exec(text);
      const key = /demo site api key: (\S+)/.exec(text);
      if (port && id && key) {
        clearTimeout(timer);
        Object.assign(found, { port: Number(port[1]), site: id[1], key: key[1] });
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hearsay serve exited with ${code}; output:\n${log}`));
    });
  });
  await ready;
  const base = `http://127.0.0.1:${found.port}`;

  async function api(p) {
    const res = await fetch(base + p, { headers: { Authorization: `Bearer ${found.key}` } });
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  }
  return {
    ...found,
    base,
    data,
    log: () => log,
    shares: async () => (await api('/api/v1/shares')).shares,
    events: async (type) => (await api('/api/v1/events' + (type ? `?type=${type}` : ''))).events,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * Serves test article pages at /articles/NAME from pages registered with
 * `add(name, options)`; each loads the widget from the hearsay server.
 */
export async function startPages(hearsay, host = '127.0.0.1') {
  const pages = new Map();
  const server = http.createServer((req, res) => {
    const name = new URL(req.url, 'http://x').pathname.replace(/^\/articles\//, '');
    const page = pages.get(name);
    if (!page) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('no such test page');
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((r) => server.listen(0, host, r));
  const base = `http://${host}:${server.address().port}`;
  return {
    base,
    /** Registers a page; returns its URL. */
    add(name, { attrs = '', head = '', body = '', canonical = true, before = '', site = hearsay.site } = {}) {
      const url = `${base}/articles/${name}`;
      pages.set(name, `<!doctype html><html><head><meta charset="utf-8">
<title>${TITLE} | Testsite</title>
<meta property="og:title" content="${TITLE}">
${canonical ? `<link rel="canonical" href="${url}">` : ''}
<meta property="article:section" content="Phones">
<meta property="article:tag" content="compact">
<meta property="article:tag" content="battery">
${head}
<style>[data-hearsay-share]{min-height:44px}</style>
${before}
</head><body><h1>${TITLE}</h1>
<p id="lede">The small phone lasts two days on a charge and takes natural photos.</p>
<div data-hearsay-share></div>
${body}
<script src="${hearsay.base}/widget.js" data-site="${site}" ${attrs} async></script>
</body></html>`);
      return url;
    },
    stop: () => new Promise((r) => server.close(r)),
  };
}

export const TITLE = 'Small phone review: two days on a charge';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic',
];

/** Debian's Chromium, with a fresh profile that Playwright makes and removes. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  // The server files headless browsers under automation; these tests stand
  // in for people, so they present the ordinary desktop Chrome user agent.
  const probe = await browser.newPage();
  const ua = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome');
  await probe.close();
  return { browser, ua };
}

const LOOPBACK = /^https?:\/\/(127\.0\.0\.[12]|localhost)(:\d+)?\//;

/**
 * A fresh context in which no request leaves the machine: anything not on
 * loopback is recorded in `outside` and answered locally (documents) or
 * aborted (everything else). `stubOpen` replaces window.open with a recorder.
 */
export async function newContext(b, { stubOpen = true, init = [], ...options } = {}) {
  const context = await b.browser.newContext({ userAgent: b.ua, ...options });
  const outside = [];
  await context.route('**/*', (route) => {
    const req = route.request();
    if (LOOPBACK.test(req.url())) return route.continue();
    outside.push(req.url());
    if (req.resourceType() === 'document') {
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>stub</title>' });
    }
    return route.abort();
  });
  if (stubOpen) {
    await context.addInitScript(() => {
      window.__opened = [];
      window.open = function (url, target, features) {
        window.__opened.push({ url: String(url), target: String(target), features: String(features) });
        return null;
      };
    });
  }
  for (const script of init) await context.addInitScript(script);
  return { context, outside };
}

/** Records the JSON bodies a page posts to the collector. */
export function captureEvents(page) {
  const bodies = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/api/v1/events')) {
      try { bodies.push(JSON.parse(req.postData())); } catch { bodies.push(null); }
    }
  });
  return bodies;
}

/** Polls `fn` until it returns a truthy value, or fails after `ms`. */
export async function poll(what, fn, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function opened(page, n) {
  return poll(`window.open call #${n}`, async () => {
    const list = await page.evaluate(() => window.__opened);
    return list.length >= n && list[n - 1];
  });
}
