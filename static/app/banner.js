/*
 * banner.js — the banner's navigation (buttons that scroll to each section),
 * the trainee's name and the logout form. The logo, title and language switch
 * come from base.html, shared with the login page.
 *
 * On a phone the banner is two short rows: the logo and a "Menu" button, then
 * the section buttons (scrolling sideways if they ever outgrow the row). The
 * account and the language switch sit in the menu the button opens; on a wider
 * screen the button is hidden and the menu is part of the banner's row.
 */
(function () {
  'use strict';

  // What base.html puts in the banner after our mount point (the admin link, the
  // language form) joins the menu, so that it folds away with it on a phone.
  var MOVED_INTO_MENU = ['site-admin-link', 'lang_form'];

  function set_menu_open(open) {
    az.select('banner_menu_button', 1).setAttribute('aria-expanded', open ? 'true' : 'false');
    az.select('banner_menu', 1).classList.toggle('is_open', open);
  }

  az.add_wrapped_function({
    name: 'build_banner',
    function: function (sections) {
      az.add_element('banner_mount', 1, {
        this_class: 'banner_nav', tag: 'nav', attributes: { 'aria-label': gettext('Sections') }
      });
      sections.forEach(function (section, i) {
        az.add_button('banner_nav', 1, { this_class: 'nav_button', text: section.title });
        az.add_event('nav_button', i + 1, {
          type: 'click',
          // focus too: keyboard and screen reader users land in the section.
          function: function () { az.scroll_to(section.cls, 1, { focus: true }); }
        });
      });

      // A disclosure button (aria-expanded), right before the menu it shows.
      az.add_button('banner_mount', 1, {
        this_class: 'banner_menu_button', text: gettext('Menu'),
        attributes: { 'aria-expanded': 'false', 'aria-controls': 'banner_menu' }
      });
      az.add_event('banner_menu_button', 1, {
        type: 'click',
        function: function (event, button) {
          set_menu_open(button.getAttribute('aria-expanded') !== 'true');
        }
      });
      az.add_element('banner_mount', 1, {
        this_class: 'banner_menu', tag: 'div', attributes: { id: 'banner_menu' }
      });
      // Escape closes the open menu and gives focus back to its button.
      az.add_event('banner_menu', 1, {
        type: 'keydown',
        function: function (event) {
          var button = az.select('banner_menu_button', 1);
          if (event.key !== 'Escape' || button.getAttribute('aria-expanded') !== 'true') return;
          set_menu_open(false);
          button.focus();
        }
      });

      az.add_element('banner_menu', 1, { this_class: 'banner_account', tag: 'div' });
      az.add_text('banner_account', 1, {
        this_class: 'banner_user', tag: 'span',
        text: interpolate(gettext('Signed in as %(name)s'), { name: fp.config.user_name }, true)
      });
      // Logging out is a POST with the CSRF token, as Django's LogoutView requires.
      var form = az.add_element('banner_account', 1, {
        this_class: 'logout_form', tag: 'form',
        attributes: { method: 'post', action: fp.config.logout_url }
      });
      var token = document.createElement('input');
      token.type = 'hidden';
      token.name = 'csrfmiddlewaretoken';
      token.value = fp.config.csrf_token;
      form.appendChild(token);
      az.add_button('logout_form', 1, { this_class: 'logout_button', text: gettext('Log out') }).type = 'submit';

      var menu = az.select('banner_menu', 1);
      MOVED_INTO_MENU.forEach(function (cls) {
        if (az.number_of(cls) > 0) menu.appendChild(az.select(cls, 1));
      });
    }
  });
})();
