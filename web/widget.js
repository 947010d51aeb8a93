/* hearsay share widget and landing beacon: see docs/widget.md */
(function (W, D) {
var N = W.navigator || {}, L = W.location, H = W.history, S, site, api, P, inQ,
  dnt, consentMode, arrived, bar, vid, styled, intent;
var ID = /^[A-Za-z0-9_-]{8,64}$/, KEY = 'hearsay_visitor';
var TRACK = /^(utm_\w+|[fgm]bclid|gclid|msclkid|igshid|mc_[ce]id|_g[al])$/i;

// channel: [name, colour, address (%t title, %l link, %b both), icon]
var C = {
  native: ['Share', '111827', '', 'M12 3v12M7.5 7.5 12 3l4.5 4.5M5 12v8h14v-8'],
  whatsapp: ['WhatsApp', '1da851', 'https://wa.me/?text=%b',
    'M4 20l1.2-4A8.3 8.3 0 1 1 8 18.8zM9 9c0 3 3 6 6 6l.5-1.5-2-1-1 1-2.5-2.5 1-1-1-2z'],
  sms: ['Text message', '3d7d4f', 'sms:?&body=%b',
    'M4 5h16v11H9l-5 4zM8.5 10.5h0M12 10.5h0M15.5 10.5h0'],
  email: ['Email', '5b5f97', 'mailto:?subject=%t&body=%t%0A%0A%l',
    'M3 6h18v12H3zM3.5 6.5 12 13l8.5-6.5'],
  messenger: ['Messenger', '0a7cff', 'fb-messenger://share/?link=%l',
    'M12 3a9 8.5 0 0 0-6.5 14.4V21l3.4-1.9A9 8.5 0 1 0 12 3zM7.5 13.5l3-3 3 2 3-3'],
  telegram: ['Telegram', '229ed9', 'https://t.me/share/url?url=%l&text=%t',
    'M21 4 3 11l6 2.5L11 20l3-4 5 3zM9 13.5 21 4'],
  copy: ['Copy link', '374151', '',
    'M9 15l6-6M11 6l1-1a4.2 4.2 0 0 1 6 6l-1 1M13 18l-1 1a4.2 4.2 0 0 1-6-6l1-1'],
  facebook: ['Facebook', '1877f2', 'https://www.facebook.com/sharer/sharer.php?u=%l',
    'M15.5 3.5H13A3.5 3.5 0 0 0 9.5 7v13.5M6.5 10.5h8'],
  x: ['X', '0f1419', 'https://x.com/intent/tweet?text=%t&url=%l',
    'M4.5 4h4l11 16h-4zM19 4l-6 7M5 20l6-7'],
  linkedin: ['LinkedIn', '0a66c2', 'https://www.linkedin.com/sharing/share-offsite/?url=%l',
    'M5.5 10v9M5.5 5.5h0M10 19v-9M10 14a4 4 0 0 1 8 0v5'],
  reddit: ['Reddit', 'ff4500', 'https://www.reddit.com/submit?url=%l&title=%t',
    'M12 9c4.5 0 8 2.5 8 5.5S16.5 20 12 20s-8-2.5-8-5.5S7.5 9 12 9zm0 0 1.5-5 4.5 1M9 14h0M15 14h0']
};
var CSS = '.hs-bar{display:flex;align-items:center;gap:8px;min-height:44px;padding:2px;box-sizing:border-box;overflow-x:auto;scrollbar-width:none}' +
  '.hs-bar .hs-b{flex:none;display:inline-flex;align-items:center;justify-content:center;gap:7px;width:40px;height:40px;margin:0;padding:0;border:0;border-radius:20px;background:var(--hs-c);color:#fff;font:600 14px/1 system-ui,sans-serif;text-transform:none;cursor:pointer}' +
  '.hs-bar .hs-b:hover{filter:brightness(1.15)}' +
  '.hs-bar .hs-b:focus-visible{outline:2px solid var(--hs-c);outline-offset:2px}' +
  '.hs-bar .hs-w{width:auto;padding:0 16px 0 12px}.hs-bar .hs-ok{background:#15803d}' +
  '.hs-bar svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}';

function safe(f) {
  return function (a, b) { try { return f(a, b); } catch (e) { } };
}
function attr(el, n) {
  var v = el && el.getAttribute('data-' + n);
  return v == null ? null : '' + v;
}
function $(q) { return D.querySelector(q); }
function enc(s) { return encodeURIComponent(s); }

function mint(n) {
  var out = '', b = new Uint8Array(32), i, k;
  while (out.length < (n || 12)) {
    W.crypto.getRandomValues(b);
    for (i = 0; i < 32; i++) if (b[i] < 248) {
      k = b[i] % 62;
      out += String.fromCharCode(k + (k < 26 ? 65 : k < 52 ? 71 : -4));
    }
  }
  return out.slice(0, n || 12);
}

function cut(href) {
  var h = href.indexOf('#'), r = h < 0 ? href : href.slice(0, h), q = r.indexOf('?');
  return {
    b: q < 0 ? r : r.slice(0, q), q: q < 0 ? '' : r.slice(q + 1),
    f: h < 0 ? '' : href.slice(h + 1)
  };
}
function join(u) { return u.b + (u.q ? '?' + u.q : '') + (u.f ? '#' + u.f : ''); }
function find(s) {
  var m = RegExp('(?:^|&)' + P + '=([A-Za-z0-9_-]{8,32})(?=&|$)').exec(s);
  return m && m[1];
}
function strip(s, all) {
  var out = [], p = s ? s.split('&') : [], i, k;
  for (i = 0; i < p.length; i++) {
    k = p[i].split('=')[0];
    if (k != P && !(all && TRACK.test(k))) out.push(p[i]);
  }
  return out.join('&');
}
function add(s, t) { return (s ? s + '&' : '') + P + '=' + t; }
function fix(url, canon, t) {
  var u = cut(url);
  u.q = strip(u.q, canon);
  u.f = canon ? '' : strip(u.f);
  if (t) if (inQ) u.q = add(u.q, t); else u.f = P + '=' + t;
  return join(u);
}
function canonical(el) {
  var l = $('link[rel="canonical"]');
  return fix(attr(el, 'url') || l && l.href || L.href, 1);
}
function here() { return fix(L.href); }
function title(el) {
  var m = $('meta[property="og:title"]');
  return attr(el, 'title') || (m ? m.getAttribute('content') : D.title).trim();
}
function topics() {
  var out = [], i, j, w, m = D.querySelectorAll(
    'meta[property="article:tag"],meta[property="article:section"],meta[name="keywords"]');
  for (i = 0; i < m.length; i++) {
    w = ('' + m[i].getAttribute('content')).split(',');
    for (j = 0; j < w.length; j++) if (w[j].trim() && out.indexOf(w[j].trim()) < 0) out.push(w[j].trim());
  }
  return out;
}

function post(path, body) {
  return W.fetch(api + path, {
    method: 'POST', body: JSON.stringify(body), keepalive: true,
    credentials: 'omit', headers: { 'Content-Type': 'text/plain' }
  });
}
function send(ev) {
  if (dnt) ev.dnt = true; else if (vid) ev.visitor = vid;
  var body = { site: site, events: [ev] };
  try { if (N.sendBeacon(api + '/api/v1/events', JSON.stringify(body))) return; } catch (e) { }
  post('/api/v1/events', body)['catch'](function () { });
}
function shared(c, t, el) {
  send({
    type: 'share', token: t, channel: c, url: here(), canonical: canonical(el),
    title: title(el), parent: arrived || null
  });
}
function address(c, link, ttl) {
  var app = attr(S, 'fb-app-id');
  if (c == 'messenger' && app && /^\d+$/.test(app))
    return 'https://www.facebook.com/dialog/send?app_id=' + app + '&link=' + enc(link) +
      '&redirect_uri=' + enc(link);
  return C[c][2].replace(/%([tlb])/g, function (m, k) {
    return enc(k == 't' ? ttl : k == 'l' ? link : ttl + ' ' + link);
  });
}
function go(u) {
  var self = !/^https?:/.test(u);
  try { W.open(u, self ? '_self' : '_blank', self ? '' : 'noopener'); } catch (e) { L.href = u; }
}
function short(t, url, link, c, done) {
  var over;
  function end(u) { if (!over) { over = 1; done(u || link); } }
  if (!W.fetch || attr(S, 'short-links') == 'off') return end();
  setTimeout(end, 700);
  post('/api/v1/share-links', { site: site, token: t, url: url, channel: c })
    .then(function (r) { return r.status == 201 && r.json(); })
    .then(function (j) { end(j && /^https?:\/\//.test(j.short_url) && j.short_url); })
    ['catch'](function () { end(); });
}
function copied(btn) {
  var label = btn.lastChild, cl = btn.classList;
  label.textContent = 'Link copied';
  cl.add('hs-ok');
  setTimeout(function () { label.textContent = C.copy[0]; cl.remove('hs-ok'); }, 2000);
}

var share = safe(function (c, el) {
  var t = mint(), link = fix(canonical(el), 1, t), ttl = title(el), btn;
  if (!C[c]) return;
  if (c == 'native') {
    return N.share({ title: ttl, url: link })
      .then(safe(function () { shared(c, t, el); }), function () { });
  }
  shared(c, t, el);
  if (c == 'copy') {
    btn = el && el.querySelector('.hs-copy');
    var no = safe(function () { W.prompt(C.copy[0], link); });
    if (!N.clipboard) return no();
    N.clipboard.writeText(link).then(safe(function () { if (btn) copied(btn); }), no);
  } else if (c == 'sms') short(t, canonical(el), link, c, safe(function (u) { go(address(c, u, ttl)); }));
  else go(address(c, link, ttl));
});

function button(el, c) {
  var b = D.createElement('button'), wide = c == 'native' || c == 'copy';
  b.type = 'button';
  b.className = 'hs-b hs-' + c + (wide ? ' hs-w' : '');
  b.style.setProperty('--hs-c', '#' + C[c][1]);
  if (!wide) b.title = C[c][0];
  b.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="' + C[c][3] +
    '"/></svg>' + (wide ? '<span>' + C[c][0] + '</span>' : '');
  b.addEventListener('click', function () { share(c, el); });
  return b;
}

var scan = safe(function () {
  var bars = D.querySelectorAll('[data-hearsay-share]'), i, j, el, list, c;
  if (!styled && bars.length) {
    styled = D.createElement('style');
    if (S.nonce) styled.nonce = S.nonce;
    styled.textContent = CSS;
    (D.head || D.documentElement).appendChild(styled);
  }
  for (i = 0; i < bars.length; i++) {
    el = bars[i];
    if (/\bhs-bar\b/.test(el.className)) continue;
    el.className += ' hs-bar';
    el.setAttribute('role', 'group');
    if (!el.getAttribute('aria-label')) el.setAttribute('aria-label', 'Share');
    list = (attr(el, 'channels') ||
      'native,whatsapp,sms,email,messenger,telegram,copy,facebook,x,linkedin,reddit').split(',');
    for (j = 0; j < list.length; j++) {
      c = list[j].trim().toLowerCase();
      if (C[c] && (c != 'native' || typeof N.share == 'function')) el.appendChild(button(el, c));
    }
  }
});

function land() {
  var u = cut(L.href), st = H && H.state, q = find(u.q), f = find(u.f), next = {}, k,
    own = st && typeof st == 'object' ? st.hs_own : 0, t = inQ ? q || f : f || q,
    ev = {
      type: 'pageview', url: here(), canonical: canonical(), referrer: '' + D.referrer,
      title: title(), topics: topics()
    };
  if (t && t == own) {
    arrived = st.hs_parent || null;
    bar = own;
  } else if (t) {
    arrived = ev.token = t;
    ev.type = 'arrival';
  }
  send(ev);

  if (bar || L.pathname == '/' || attr(S, 'address-bar') == 'off' || !H.replaceState) return;
  u.q = strip(u.q);
  if (inQ) {
    u.q = add(u.q, bar = mint());
    u.f = strip(u.f);
  } else if (f || !u.f) u.f = add(strip(u.f), bar = mint());
  else return;
  if (st && typeof st == 'object') for (k in st) next[k] = st[k];
  next.hs_own = bar;
  next.hs_parent = arrived;
  H.replaceState(next, '', join(u));
}

var onCopy = safe(function (e) {
  var sel = '' + W.getSelection(), t;
  if (!sel.trim()) return;
  if (attr(S, 'copy-link') == 'on') {
    e.clipboardData.setData('text/plain', sel + '\n\n' + fix(canonical(), 1, t = mint()));
    e.preventDefault();
    shared('copy', t);
  } else if (bar && !intent) {
    intent = 1;
    shared('copy', bar);
  }
});

var consent = safe(function (on) {
  var ls = W.localStorage;
  if (!consentMode) return false;
  if (!on) { vid = null; ls.removeItem(KEY); return false; }
  if (dnt) return false;
  vid = ls.getItem(KEY);
  if (!ID.test(vid)) ls.setItem(KEY, vid = mint(22));
  return true;
});

safe(function () {
  S = D.currentScript || $('script[data-site][src*="widget"]');
  site = attr(S, 'site');
  if (!site || W.hearsay && W.hearsay.version) return;
  api = (/^https?:\/\/[^\/?#]+/.exec(S.src) || [''])[0];
  P = attr(S, 'token-param') || 'hs';
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(P)) P = 'hs';
  inQ = attr(S, 'token-in') == 'query';
  consentMode = (attr(S, 'consent') || 'off') != 'off';
  dnt = N.globalPrivacyControl === true || N.doNotTrack == '1';
  if (consentMode && !dnt) safe(function () {
    var v = W.localStorage.getItem(KEY);
    if (ID.test(v)) vid = v;
  })();
  W.hearsay = {
    version: 1, consent: consent, scan: scan,
    share: share,
    conversion: safe(function (name, value) {
      var ev = { type: 'conversion', url: here(), name: '' + name, token: arrived || null };
      if (typeof value == 'number' && isFinite(value)) ev.value = value;
      send(ev);
    })
  };
  safe(land)();
  D.addEventListener('copy', onCopy, true);
  if (D.readyState == 'loading') D.addEventListener('DOMContentLoaded', scan);
  else scan();
})();
})(window, document);
