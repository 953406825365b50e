/*
 * banner.js — the banner's navigation (buttons that scroll to each section),
 * the trainee's name and the logout form. The logo and title come from
 * base.html, shared with the login page.
 */
(function () {
  'use strict';

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

      az.add_element('banner_mount', 1, { this_class: 'banner_account', tag: 'div' });
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
    }
  });
})();
