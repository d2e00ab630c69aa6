// The demo shop's own script: a cart in localStorage, the product pages, the
// consent banner and a visitor-profile switcher, all talking to Relance only
// through its public command queue: relance('track' | 'identify' | 'consent' |
// 'showOffer' | 'debug', ...). Every text goes in with textContent.
(function () {
  'use strict';
  var CURRENCY = 'EUR';
  var PRODUCTS = {
    'sneaker-01': { name: 'Trail sneakers', category: 'Shoes', price: 89, color: '#f97316', desc: 'Light, grippy, made for city trails.' },
    'jacket-02': { name: 'Rain jacket', category: 'Outerwear', price: 129, color: '#0ea5e9', desc: 'Waterproof, breathable, packs into its pocket.' },
    'tee-03': { name: 'Organic tee', category: 'Basics', price: 25, color: '#22c55e', desc: 'Soft organic cotton, relaxed fit.' },
    'cap-04': { name: 'Canvas cap', category: 'Accessories', price: 19, color: '#a855f7', desc: 'Washed canvas, adjustable strap.' }
  };
  // The customer values marketers segment by (see demo/site.json's rules).
  var PROFILES = {
    vip: { id: 'demo-vip', traits: { orders_year: 6, last_order_days: 20 } },
    regular: { id: 'demo-regular', traits: { orders_year: 3, last_order_days: 45 } },
    dormant: { id: 'demo-dormant', traits: { orders_year: 1, last_order_days: 210 } }
  };

  // The snippet defines window.relance; keep the shop working without it.
  function relance() {
    if (typeof window.relance === 'function') window.relance.apply(null, arguments);
  }

  // Storage that never throws into the page (private mode, quota, disabled).
  function load(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* the demo works without it */ }
  }
  function $(sel, root) { return (root || document).querySelector(sel); }
  function money(n) { return '\u20ac' + (Math.round(n * 100) / 100).toFixed(2).replace(/\.00$/, ''); }

  // ---- cart -------------------------------------------------------------
  function cart() { var c = load('demo:cart', []); return Array.isArray(c) ? c : []; }
  function cartTotal(items) { return items.reduce(function (s, i) { return s + i.price * i.quantity; }, 0); }
  function showCartCount() {
    var n = cart().reduce(function (s, i) { return s + i.quantity; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (el) { el.textContent = String(n); });
  }
  function addToCart(id, quantity) {
    var p = PRODUCTS[id];
    var items = cart();
    var line = items.filter(function (i) { return i.id === id; })[0];
    if (line) line.quantity += quantity; else items.push({ id: id, name: p.name, price: p.price, quantity: quantity });
    save('demo:cart', items);
    showCartCount();
    relance('track', 'add_to_cart', {
      product: { id: id, name: p.name, category: p.category, price: p.price, currency: CURRENCY },
      quantity: quantity, price: p.price, currency: CURRENCY
    });
  }
  function removeFromCart(id) {
    var items = cart();
    var line = items.filter(function (i) { return i.id === id; })[0];
    if (!line) return;
    save('demo:cart', items.filter(function (i) { return i.id !== id; }));
    relance('track', 'remove_from_cart', { product: { id: id }, quantity: line.quantity, price: line.price, currency: CURRENCY });
    showCartCount();
  }

  // ---- product art (inline SVG, built with DOM calls) --------------------
  function art(color, label) {
    var NS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 160 120');
    svg.setAttribute('class', 'art');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    [['rect', { width: 160, height: 120, rx: 14, fill: color, opacity: '.16' }],
      ['circle', { cx: 80, cy: 58, r: 30, fill: color, opacity: '.85' }],
      ['rect', { x: 46, y: 92, width: 68, height: 8, rx: 4, fill: color, opacity: '.5' }]].forEach(function (s) {
      var el = document.createElementNS(NS, s[0]);
      Object.keys(s[1]).forEach(function (k) { el.setAttribute(k, String(s[1][k])); });
      svg.appendChild(el);
    });
    return svg;
  }

  // ---- pages ---------------------------------------------------------------
  function productPage() {
    var id = new URLSearchParams(location.search).get('id');
    var p = PRODUCTS[id];
    var view = $('[data-product-view]');
    if (!p) {
      view.textContent = '';
      var h = document.createElement('h1');
      h.textContent = 'This product does not exist.';
      view.appendChild(h);
      return;
    }
    document.title = p.name + ' \u00b7 Demo shop';
    $('[data-product-name]').textContent = p.name;
    $('[data-product-category]').textContent = p.category;
    $('[data-product-price]').textContent = money(p.price);
    $('[data-product-desc]').textContent = p.desc;
    $('[data-product-art]').appendChild(art(p.color, p.name));
    relance('track', 'product_view', { product: { id: id, name: p.name, category: p.category, price: p.price, currency: CURRENCY } });
    $('[data-add-to-cart]').addEventListener('submit', function (e) {
      e.preventDefault();
      var q = Math.max(1, Math.min(9, parseInt(e.target.quantity.value, 10) || 1));
      addToCart(id, q);
      $('[data-added]').textContent = 'Added to your cart.';
    });
  }

  function cartPage() {
    var items = cart();
    var body = $('[data-cart-lines]');
    body.textContent = '';
    $('[data-cart-empty]').hidden = items.length > 0;
    $('[data-cart-table]').hidden = items.length === 0;
    $('[data-checkout-link]').hidden = items.length === 0;
    items.forEach(function (i) {
      var tr = document.createElement('tr');
      [i.name, String(i.quantity), money(i.price * i.quantity)].forEach(function (t) {
        var td = document.createElement('td');
        td.textContent = t;
        tr.appendChild(td);
      });
      var td = document.createElement('td');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'linklike';
      b.textContent = 'Remove';
      b.setAttribute('aria-label', 'Remove ' + i.name);
      b.addEventListener('click', function () { removeFromCart(i.id); cartPage(); });
      td.appendChild(b);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    $('[data-cart-total]').textContent = money(cartTotal(items));
  }

  function checkoutPage() {
    var items = cart();
    var total = cartTotal(items);
    $('[data-checkout-summary]').textContent = items.length
      ? items.length + ' item(s), total ' + money(total) : 'Your cart is empty.';
    var lines = items.map(function (i) { return { id: i.id, quantity: i.quantity, price: i.price }; });
    if (items.length) relance('track', 'checkout_started', { value: total, currency: CURRENCY, items: lines });
    $('[data-checkout]').addEventListener('submit', function (e) {
      e.preventDefault();
      if (!items.length) return;
      var orderId = 'order-' + Date.now().toString(36);
      relance('track', 'purchase', { order_id: orderId, revenue: total, currency: CURRENCY, items: lines });
      save('demo:cart', []);
      showCartCount();
      e.target.hidden = true;
      var done = $('[data-order-done]');
      done.hidden = false;
      done.textContent = 'Thank you! Order ' + orderId + ' is confirmed.';
    });
  }

  function guidePage() {
    var button = $('[data-guide-download]');
    button.addEventListener('click', function () {
      var guide = button.getAttribute('data-guide-download');
      relance('track', 'custom.guide_download', { guide: guide });
      var blob = new Blob(['The team outfitting guide\n\n1. Sizes first...\n'], { type: 'text/plain' });
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = guide + '.txt';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
      $('[data-guide-done]').textContent = 'Your download has started.';
    });
  }

  // ---- visitor profile (simulates a known customer) --------------------------
  function profileSwitcher() {
    var select = $('[data-profile-switcher]');
    if (!select) return;
    select.value = load('demo:profile', 'anonymous');
    select.addEventListener('change', function () {
      var profile = PROFILES[select.value];
      save('demo:profile', select.value);
      if (profile) {
        relance('identify', profile.id, profile.traits);
      } else {
        // "New visitor": forget this browser's Relance visitor (demo only).
        try { localStorage.removeItem('rl:state'); } catch (e) { /* nothing to forget */ }
      }
      // The engine decides personalization on the page view: show it on a fresh one.
      setTimeout(function () { location.reload(); }, 400);
    });
  }

  // ---- consent banner ---------------------------------------------------------
  function consentBanner(force) {
    var choice = load('demo:consent', null);
    if (choice && !force) return;
    var old = $('.consent-banner');
    if (old) old.remove();
    var box = document.createElement('section');
    box.className = 'consent-banner';
    box.setAttribute('aria-label', 'Privacy choices');
    var p = document.createElement('p');
    p.textContent = 'We measure visits on our own domain to improve the shop, and, if you agree, show you offers that fit.';
    box.appendChild(p);
    var row = document.createElement('div');
    row.className = 'consent-actions';
    [['Accept all', { analytics: true, marketing: true }], ['Measurement only', { analytics: true, marketing: false }],
      ['Refuse', { analytics: false, marketing: false }]].forEach(function (c, i) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = i === 0 ? 'button' : 'button ghost';
      b.textContent = c[0];
      b.addEventListener('click', function () {
        save('demo:consent', c[1]);
        relance('consent', c[1]);
        box.remove();
      });
      row.appendChild(b);
    });
    box.appendChild(row);
    document.body.appendChild(box);
  }

  function start() {
    showCartCount();
    profileSwitcher();
    consentBanner(false);
    var open = $('[data-consent-open]');
    if (open) open.addEventListener('click', function () { consentBanner(true); });
    document.querySelectorAll('[data-show-offer]').forEach(function (b) {
      b.addEventListener('click', function () { relance('showOffer', b.getAttribute('data-show-offer')); });
    });
    var page = document.body.getAttribute('data-page');
    if (page === 'product') productPage();
    else if (page === 'cart') cartPage();
    else if (page === 'checkout') checkoutPage();
    else if (page === 'guide') guidePage();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
