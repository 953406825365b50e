// Unit tests for the banner, static/app/banner.js (and main.js, which
// builds it first): a button per section, the account and the language
// switch in a menu behind a disclosure button, logging out by POST.
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { same, openPage, baseRoutes } = require('./support');

describe('the banner', () => {
  test('a button per section, My progress included, each scrolling to its section', async () => {
    const page = await openPage(baseRoutes());
    same(page.$$('.nav_button').map((b) => b.textContent), ['Training', 'Challenge', 'My progress', 'Scoreboard']);
    assert.ok(page.$('.progress_section[aria-labelledby="progress_title"]'));
    same(page.$$('[data-section] h2').map((h) => h.id), ['training_title', 'challenge_title', 'progress_title', 'scoreboard_title']);
    page.$$('.nav_button')[3].click();
    assert.equal(page.window.document.activeElement, page.$('.scoreboard_section'));
  });

  test('the menu is a disclosure holding the account and the language switch; Escape closes it', async () => {
    const page = await openPage(baseRoutes());
    const button = page.$('.banner_menu_button');
    assert.equal(button.getAttribute('aria-controls'), 'banner_menu');
    assert.ok(page.$('.banner_menu .lang_form'), 'the language form moved into the menu');
    assert.equal(page.$('.banner_user').textContent, 'Signed in as Alice');
    button.click();
    assert.equal(button.getAttribute('aria-expanded'), 'true');
    assert.ok(page.$('.banner_menu').classList.contains('is_open'));
    page.$('.banner_menu').dispatchEvent(new page.window.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    assert.equal(button.getAttribute('aria-expanded'), 'false');
    assert.equal(page.window.document.activeElement, button);
  });

  test('logging out posts to the logout URL with the CSRF token', async () => {
    const page = await openPage(baseRoutes());
    const form = page.$('.logout_form');
    assert.equal(form.getAttribute('method'), 'post');
    assert.equal(form.getAttribute('action'), '/accounts/logout/');
    assert.equal(form.querySelector('input[name="csrfmiddlewaretoken"]').value, 't');
    assert.equal(form.querySelector('.logout_button').type, 'submit');
  });
});
