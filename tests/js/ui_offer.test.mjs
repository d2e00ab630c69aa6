// The offer pop-up of web/src/ui in real Chromium: Shadow DOM isolation,
// accessible dialog (labels, focus in, trap, Escape, return), field errors,
// honeypot, banner layout, and config texts never parsed as HTML.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openUiPage } from '../e2e/support/ui-browser.mjs';

let browser;
before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

const MODEL = {
  offer_id: 'welcome', variant: 'b', layout: 'dialog', title: 'Get 10% off', body: 'Join our newsletter.',
  fields: [{ name: 'email', label: 'E-mail', required: true, type: 'email' },
    { name: 'first_name', label: 'First name', required: false }],
  consent: { text: 'I agree to receive e-mails.', required: true }, button: 'Subscribe',
  success: 'Check your inbox!', advantage: { type: 'percent', value: 10 }, theme: { accent: '#0a7d5a' },
};

// Renders MODEL (or `model`) and records the callbacks in window.calls.
async function show(page, model = MODEL) {
  await page.evaluate((m) => {
    window.calls = [];
    RelanceUI.renderOffer(m, {
      onDismiss: (i) => window.calls.push(['dismiss', i]),
      onSubmit: (s) => window.calls.push(['submit', s]),
    });
  }, model);
}

// Evaluates `fn(shadowRoot)` in the page.
const inShadow = (page, fn) => page.evaluate(`(${fn})(document.querySelector('[data-relance-offer]').shadowRoot)`);

test('the dialog is labelled, modal, and takes the focus', async () => {
  const page = await openUiPage(browser, '<button id="opener">open</button>');
  await page.focus('#opener');
  await show(page);
  const info = await inShadow(page, (root) => {
    const d = root.querySelector('[role=dialog]');
    return {
      modal: d.getAttribute('aria-modal'),
      label: root.getElementById(d.getAttribute('aria-labelledby')).textContent,
      description: root.getElementById(d.getAttribute('aria-describedby')).textContent,
      focused: root.activeElement && root.activeElement.getAttribute('name'),
      advantage: root.querySelector('.advantage').textContent,
      accent: getComputedStyle(root.querySelector('.submit')).backgroundColor,
    };
  });
  assert.deepEqual(info, { modal: 'true', label: 'Get 10% off', description: 'Join our newsletter.', focused: 'email',
    advantage: '-10%', accent: 'rgb(10, 125, 90)' });
  assert.deepEqual(page.relanceErrors, []);
  await page.context().close();
});

test('Tab and Shift+Tab stay inside the dialog; the honeypot is never reached', async () => {
  const page = await openUiPage(browser, '<a href="#x" id="before">before</a><button id="opener">open</button>');
  await page.focus('#opener');
  await show(page);
  const seen = [];
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press('Tab');
    seen.push(await inShadow(page, (root) => {
      const a = root.activeElement;
      return a ? (a.getAttribute('name') || a.getAttribute('data-field') || a.className) : 'outside';
    }));
  }
  // email -> first_name -> consent -> submit -> close -> email ...
  assert.deepEqual(seen, ['first_name', 'consent', 'submit', 'close', 'email', 'first_name', 'consent']);
  // Back from consent: first_name, email, then wrap to the last control (close).
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab');
  assert.equal(await inShadow(page, (root) => root.activeElement.className), 'close');
  const honeypot = await inShadow(page, (root) => {
    const hp = root.querySelector('.honeypot');
    return { tab: hp.tabIndex, hidden: hp.closest('[aria-hidden=true]') !== null, width: hp.getBoundingClientRect().left < 0 };
  });
  assert.deepEqual(honeypot, { tab: -1, hidden: true, width: true });
  await page.context().close();
});

test('Escape dismisses once, reports offer and variant, and gives the focus back', async () => {
  const page = await openUiPage(browser, '<button id="opener">open</button>');
  await page.focus('#opener');
  await show(page);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-relance-offer]').count(), 0);
  assert.deepEqual(await page.evaluate(() => window.calls), [['dismiss', { offer_id: 'welcome', variant: 'b' }]]);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'opener');
  await page.context().close();
});

test('the close button dismisses; hideOffer removes without a callback', async () => {
  const page = await openUiPage(browser);
  await show(page);
  await page.locator('[data-relance-offer] .close').click();
  assert.deepEqual(await page.evaluate(() => window.calls.map((c) => c[0])), ['dismiss']);
  await show(page);
  await page.evaluate(() => RelanceUI.hideOffer('another'));
  assert.equal(await page.locator('[data-relance-offer]').count(), 1, 'hideOffer of another id leaves it');
  await page.evaluate(() => RelanceUI.hideOffer('welcome'));
  assert.equal(await page.locator('[data-relance-offer]').count(), 0);
  assert.deepEqual(await page.evaluate(() => window.calls), []);
  await page.context().close();
});

test('submit hands the fields over; field errors show next to the fields; success replaces the form', async () => {
  const page = await openUiPage(browser);
  await show(page);
  await page.locator('[data-relance-offer] input[name=email]').fill(' not-an-email ');
  await page.locator('[data-relance-offer] input[name=first_name]').fill('Ana');
  await page.locator('[data-relance-offer] .submit').click();
  const calls = await page.evaluate(() => window.calls);
  assert.deepEqual(calls, [['submit', { offer_id: 'welcome', variant: 'b',
    fields: { email: 'not-an-email', first_name: 'Ana' }, consent_checked: false, honeypot: '' }]]);

  await page.evaluate(() => RelanceUI.showOfferResult({ ok: false, errors: [
    { field: 'email', message: 'The e-mail address needs an @.' },
    { field: 'consent', message: 'Please tick the box.' },
    { message: 'Try again later.' }] }));
  const errors = await inShadow(page, (root) => {
    const email = root.querySelector('input[name=email]');
    const consent = root.querySelector('#rl-f-consent');
    return {
      invalid: email.getAttribute('aria-invalid'),
      described: root.getElementById(email.getAttribute('aria-describedby')).textContent,
      consentInvalid: consent.getAttribute('aria-invalid'),
      consentDescribed: root.getElementById(consent.getAttribute('aria-describedby')).textContent,
      general: root.querySelector('.form-error').textContent,
      focused: root.activeElement.getAttribute('name'),
      nameInvalid: root.querySelector('input[name=first_name]').hasAttribute('aria-invalid'),
    };
  });
  assert.deepEqual(errors, { invalid: 'true', described: 'The e-mail address needs an @.', consentInvalid: 'true',
    consentDescribed: 'Please tick the box.', general: 'Try again later.', focused: 'email', nameInvalid: false });

  await page.locator('[data-relance-offer] input[name=email]').fill('ana@example.com');
  await page.locator('[data-relance-offer] #rl-f-consent').check();
  await page.locator('[data-relance-offer] .submit').click();
  assert.equal((await page.evaluate(() => window.calls)).at(-1)[1].consent_checked, true);
  await page.evaluate(() => RelanceUI.showOfferResult({ ok: true }));
  const done = await inShadow(page, (root) => ({
    formHidden: root.querySelector('form').hidden,
    success: root.querySelector('.success').hidden ? null : root.querySelector('.success').textContent,
    errors: Array.from(root.querySelectorAll('.error')).map((e) => e.textContent).join(''),
  }));
  assert.deepEqual(done, { formHidden: true, success: 'Check your inbox!', errors: '' });
  await page.keyboard.press('Escape');
  assert.deepEqual((await page.evaluate(() => window.calls)).map((c) => c[0]), ['submit', 'submit'],
    'closing after a conversion is not a dismissal');
  await page.context().close();
});

test('a filled honeypot is handed to the engine as is', async () => {
  const page = await openUiPage(browser);
  await show(page);
  await inShadow(page, (root) => { root.querySelector('.honeypot').value = 'http://spam.example'; });
  await page.locator('[data-relance-offer] .submit').click();
  assert.equal((await page.evaluate(() => window.calls))[0][1].honeypot, 'http://spam.example');
  await page.context().close();
});

test('config texts are text: markup in a title or label is shown, never parsed', async () => {
  const page = await openUiPage(browser);
  const hostile = '<img src=x onerror="window.pwned=1"><b>bold</b>';
  await show(page, { ...MODEL, title: hostile, body: hostile, button: hostile,
    fields: [{ name: 'email', label: hostile, required: true }], consent: { text: hostile, required: false },
    theme: { accent: 'url(https://evil.example/x.png)', background: 'red;color:blue' } });
  const r = await inShadow(page, (root) => ({
    title: root.querySelector('h2').textContent,
    label: root.querySelector('label[for=rl-f-email]').textContent,
    elements: root.querySelectorAll('img, b').length,
  }));
  assert.deepEqual(r, { title: hostile, label: hostile, elements: 0 });
  const hostStyle = await page.evaluate(() => document.querySelector('[data-relance-offer]').getAttribute('style'));
  assert.equal(hostStyle, null, 'unsafe theme values are ignored');
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(page.relanceRequests, []);
  await page.context().close();
});

test('site CSS does not reach the offer', async () => {
  const page = await openUiPage(browser,
    '<style>*{color:rgb(255,0,0)!important;font-size:40px!important} button{display:none!important}</style>');
  await show(page);
  const r = await inShadow(page, (root) => ({
    title: getComputedStyle(root.querySelector('h2')).fontSize,
    submitShown: getComputedStyle(root.querySelector('.submit')).display !== 'none',
  }));
  assert.deepEqual(r, { title: '22px', submitShown: true });
  await page.context().close();
});

test('the banner layout sits at the bottom, is not modal, and does not trap the focus', async () => {
  const page = await openUiPage(browser, '<p>text</p><a href="#a" id="link">link</a>', { viewport: { width: 390, height: 740 } });
  await show(page, { ...MODEL, layout: 'banner', advantage: { type: 'gift', label: 'A free tote bag' } });
  const r = await inShadow(page, (root) => {
    const d = root.querySelector('[role=dialog]');
    const box = d.getBoundingClientRect();
    return { modal: d.getAttribute('aria-modal'), bottom: Math.round(box.bottom), width: Math.round(box.width),
      backdrop: root.querySelector('.backdrop') !== null, advantage: root.querySelector('.advantage').textContent };
  });
  assert.deepEqual(r, { modal: 'false', bottom: 740, width: 390, backdrop: false, advantage: 'A free tote bag' });
  await page.locator('#link').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'link', 'the page stays usable');
  await page.context().close();
});

test('on a narrow screen the dialog becomes a bottom sheet', async () => {
  const page = await openUiPage(browser, '', { viewport: { width: 360, height: 700 } });
  await show(page);
  const r = await inShadow(page, (root) => {
    const box = root.querySelector('[role=dialog]').getBoundingClientRect();
    return { bottom: Math.round(box.bottom), width: Math.round(box.width) };
  });
  assert.deepEqual(r, { bottom: 700, width: 360 });
  await page.context().close();
});

test('a model without an offer_id is refused with a clear error', async () => {
  const page = await openUiPage(browser);
  const message = await page.evaluate(() => {
    try { RelanceUI.renderOffer({ title: 'x' }, {}); return 'no error'; } catch (e) { return e.message; }
  });
  assert.match(message, /offer_id/);
  await page.context().close();
});
